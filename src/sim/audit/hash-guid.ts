/**
 * A GUID computed from (salt, index): sign-in ids and correlation ids are derived on demand instead
 * of stored, so a log of 300,000 events keeps no per-event strings. Deterministic, so ids never
 * change; distinct indices give distinct ids with overwhelming probability (122 random bits).
 */
export function hashGuid(salt: number, index: number, stream: number): string {
  const w0 = mix(salt, index, stream * 4 + 1);
  const w1 = mix(salt, index, stream * 4 + 2);
  const w2 = mix(salt, index, stream * 4 + 3);
  const w3 = mix(salt, index, stream * 4 + 4);
  // Version-4 layout: xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx.
  return (
    `${byte(w0 >>> 24)}${byte(w0 >>> 16)}${byte(w0 >>> 8)}${byte(w0)}-` +
    `${byte(w1 >>> 24)}${byte(w1 >>> 16)}-4${HEX[(w1 >>> 8) & 15]}${byte(w1)}-` +
    `${HEX[8 | ((w2 >>> 28) & 3)]}${HEX[(w2 >>> 24) & 15]}${byte(w2 >>> 16)}-` +
    `${byte(w2 >>> 8)}${byte(w2)}${byte(w3 >>> 24)}${byte(w3 >>> 16)}${byte(w3 >>> 8)}${byte(w3)}`
  );
}

const HEX = '0123456789abcdef';
const BYTES: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function byte(n: number): string {
  return BYTES[n & 255] as string;
}

/** A 32-bit avalanche hash of three integers (murmur3 finaliser over a simple combination). */
function mix(a: number, b: number, c: number): number {
  let h = (Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x7f4a7c15, 0xc2b2ae35) ^ Math.imul(c, 0x27d4eb2f)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  // A second round with the index folded in again, so neighbouring indices differ in every word.
  h = Math.imul(h ^ b, 0x9e3779b1);
  h ^= h >>> 15;
  h = Math.imul(h, 0x85ebca77);
  h ^= h >>> 13;
  return h >>> 0;
}
