// -o json and -o yaml: one document, two spellings.

/** JSON as the reports have always printed it; YAML is that same document (no undefined, no functions). */
export async function serialize(doc: unknown, output: 'json' | 'yaml'): Promise<string> {
  const json = JSON.stringify(doc, null, 2);
  if (output === 'json') return `${json}\n`;
  const { dump } = await import('js-yaml');
  return dump(JSON.parse(json), { noRefs: true, lineWidth: -1 });
}
