/** AMQP topic matching: words separated by dots, `*` matches one word, `#` zero or more. */
export function matchesRoutingKey(pattern: string, routingKey: string): boolean {
  const match = (patternWords: string[], keyWords: string[]): boolean => {
    if (patternWords.length === 0) return keyWords.length === 0;
    const [head, ...rest] = patternWords;
    if (head === '#') {
      for (let skip = 0; skip <= keyWords.length; skip += 1) {
        if (match(rest, keyWords.slice(skip))) return true;
      }
      return false;
    }
    if (keyWords.length === 0) return false;
    return (head === '*' || head === keyWords[0]) && match(rest, keyWords.slice(1));
  };
  return match(pattern.split('.'), routingKey.split('.'));
}
