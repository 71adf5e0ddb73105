/*
 * The resolver of an Alpine-based container: musl's getaddrinfo, unmodified. Built statically with Debian's
 * musl-tools (musl-gcc) by clients.ts. Prints one IPv4 address per line, or gai_strerror's message and exits 2.
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s NAME\n", argv[0]);
    return 64;
  }
  struct addrinfo hints, *res, *p;
  memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  int rc = getaddrinfo(argv[1], NULL, &hints, &res);
  if (rc != 0) {
    fprintf(stderr, "%s: %s\n", argv[1], gai_strerror(rc));
    return 2;
  }
  char buf[INET_ADDRSTRLEN];
  for (p = res; p != NULL; p = p->ai_next) {
    inet_ntop(AF_INET, &((struct sockaddr_in *)p->ai_addr)->sin_addr, buf, sizeof buf);
    printf("%s\n", buf);
  }
  freeaddrinfo(res);
  return 0;
}
