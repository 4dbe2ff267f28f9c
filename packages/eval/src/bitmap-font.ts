/**
 * A 5 x 7 pixel font for PNG labels: digits, capital letters (lower case is drawn in capitals)
 * and the punctuation of numbers and titles. Each glyph is seven rows, written as two hex digits
 * whose five low bits are the pixels, left to right.
 */
const GLYPHS: Record<string, string> = {
  '0': '0e11131519110e',
  '1': '040c040404040e',
  '2': '0e11010204081f',
  '3': '1f02040201110e',
  '4': '02060a121f0202',
  '5': '1f101e0101110e',
  '6': '0608101e11110e',
  '7': '1f010204080808',
  '8': '0e11110e11110e',
  '9': '0e11110f01020c',
  A: '0e1111111f1111',
  B: '1e11111e11111e',
  C: '0e11101010110e',
  D: '1c12111111121c',
  E: '1f10101e10101f',
  F: '1f10101e101010',
  G: '0e11101711110f',
  H: '1111111f111111',
  I: '0e04040404040e',
  J: '0702020202120c',
  K: '11121418141211',
  L: '1010101010101f',
  M: '111b1515111111',
  N: '11111915131111',
  O: '0e11111111110e',
  P: '1e11111e101010',
  Q: '0e11111115120d',
  R: '1e11111e141211',
  S: '0f10100e01011e',
  T: '1f040404040404',
  U: '1111111111110e',
  V: '11111111110a04',
  W: '1111111515150a',
  X: '11110a040a1111',
  Y: '1111110a040404',
  Z: '1f01020408101f',
  ' ': '00000000000000',
  '.': '00000000000c0c',
  ',': '000000000c0408',
  '-': '0000001f000000',
  '+': '0004041f040400',
  ':': '000c0c000c0c00',
  '/': '00010204081000',
  '(': '02040808080402',
  ')': '08040202020408',
  _: '0000000000001f',
  '=': '00001f001f0000',
  '%': '18190204081303',
  '?': '0e110102040004',
};

/** Width of one character cell in font pixels (5 for the glyph, 1 of spacing). */
export const GLYPH_ADVANCE = 6;
/** Height of a glyph in font pixels. */
export const GLYPH_HEIGHT = 7;

/**
 * The pixels of one character as 7 rows of 5 booleans; lower case maps to capitals and unknown
 * characters to `?`.
 *
 * @example glyphRows('1')[0] // [false, false, true, false, false]
 */
export function glyphRows(character: string): boolean[][] {
  const code = GLYPHS[character] ?? GLYPHS[character.toUpperCase()] ?? (GLYPHS['?'] as string);
  return Array.from({ length: GLYPH_HEIGHT }, (_, row) => {
    const bits = Number.parseInt(code.slice(row * 2, row * 2 + 2), 16);
    return Array.from({ length: 5 }, (_, column) => ((bits >> (4 - column)) & 1) === 1);
  });
}
