/**
 * Splits a command line into words the way a POSIX shell does with quotes and backslashes, WITHOUT expansion,
 * redirection or any other shell meaning: `<container-id>` and `$VAR` stay literal text. For test inputs that are
 * command lines (the Pumba conformance files); nothing here ever reaches a shell.
 *
 * @example
 * shellWords(`pumba stress --stressors="--cpu 4" 're2:^a'`); // ['pumba', 'stress', '--stressors=--cpu 4', 're2:^a']
 */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === '\\' && /["\\$`]/.test(line[i + 1] ?? '')) word += line[++i];
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '\\') {
      word += line[++i] ?? '';
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) throw new Error(`unterminated ${quote} quote in: ${line}`);
  if (inWord) words.push(word);
  return words;
}
