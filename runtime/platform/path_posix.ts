// POSIX path helpers for the browser platform (a virtual file system of '/'-separated names):
// the subset of node:path that the compiler uses, with the same results for POSIX paths.

function normalize(p: string): string {
  const abs = p.startsWith('/');
  const out: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (out.length && out[out.length - 1] !== '..') out.pop();
      else if (!abs) out.push('..');
    } else out.push(seg);
  }
  const s = out.join('/');
  return abs ? `/${s}` : s || '.';
}

export const posixPath = {
  join: (...parts: string[]): string => normalize(parts.filter((s) => s !== '').join('/') || '.'),
  dirname(p: string): string {
    const s = p.replace(/\/+$/, '');
    const i = s.lastIndexOf('/');
    if (i < 0) return '.';
    return i === 0 ? '/' : s.slice(0, i);
  },
  resolve: (p: string): string => normalize(p.startsWith('/') ? p : `/${p}`),
  isAbsolute: (p: string): boolean => p.startsWith('/'),
};
