# The turbulence image for running in a cluster (deploy/kubernetes/): the runner (Job/CronJob). Not built in tests.
#   docker build -t turbulence .
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json tsconfig.base.json ./
COPY packages ./packages
RUN npm ci --ignore-scripts && npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
# iproute2 and nftables: for network faults run on a node (not needed by the runner, small).
RUN apt-get update && apt-get install -y --no-install-recommends iproute2 nftables && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/turbulence
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/packages ./packages
# A non-root user: the runner only talks to the API server.
RUN useradd --uid 10001 --create-home turbulence
USER 10001
ENTRYPOINT ["node", "/opt/turbulence/packages/turbulence/bin/turbulence.js"]
