// Small text helpers shared by every layer's messages. Lives at the bottom layer so the stdlib's
// option checks and the compiler's diagnostics quote names the same way (golden tests compare
// message texts exactly).

/** A name or snippet in back-quotes, as messages write code: `x`. */
export const backquote = (s: string): string => '`' + s + '`';
