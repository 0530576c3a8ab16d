/**
 * The simple commands in a POSIX shell command line, as words: enough of sh to find which programs a
 * cron line runs and with which arguments. Splits at `;`, `&&`, `||`, `|`, `&`, `{`, `}`, `$(` and `)`,
 * drops redirections (`>>file`, `2>&1`, `< file`), leading `NAME=value` assignments and `# comments`, and
 * keeps quoted text as one word (without expanding it).
 */
export function simpleCommands(line: string): string[][] {
  const commands: string[][] = [];
  let words: string[] = [];
  let word: string | undefined;
  let skipNextWord = false;

  const endWord = () => {
    if (word === undefined) return;
    if (skipNextWord) skipNextWord = false;
    else if (word === '{' || word === '}') endCommand();
    else words.push(word);
    word = undefined;
  };
  const endCommand = () => {
    while (words.length > 0 && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0]!)) words.shift();
    if (words.length > 0) commands.push(words);
    words = [];
  };

  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    const next = line[i + 1];
    if (c === '#' && word === undefined) {
      break; // a comment, to the end of the line
    } else if (c === '"' || c === "'") {
      const close = line.indexOf(c, i + 1);
      if (close < 0) throw new Error(`unclosed ${c} in: ${line}`);
      word = (word ?? '') + line.slice(i + 1, close);
      i = close;
    } else if (c === '\\' && next !== undefined) {
      word = (word ?? '') + next;
      i++;
    } else if (/\s/.test(c)) {
      endWord();
    } else if (c === '$' && next === '(') {
      endWord();
      endCommand();
      i++;
    } else if (c === ')' || c === ';' || c === '|' || c === '&') {
      if (c === '&' && line[i - 1] === '>') {
        word = (word ?? '') + c; // the `&` of `2>&1`: part of a redirection
        continue;
      }
      endWord();
      endCommand();
      if ((c === '|' || c === '&') && next === c) i++;
    } else if (c === '>' || c === '<') {
      if (word !== undefined && /^\d+$/.test(word)) word = undefined; // the fd of `2>`
      endWord();
      if (next === '>') i++;
      if (line[i + 1] === '&') {
        i++;
        while (/\d/.test(line[i + 1] ?? '')) i++;
      } else {
        skipNextWord = true; // the redirection's target
      }
    } else {
      word = (word ?? '') + c;
    }
  }
  endWord();
  endCommand();
  return commands;
}
