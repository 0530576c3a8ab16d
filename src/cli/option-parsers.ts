import { InvalidArgumentError } from 'commander';

/** Parses a whole number of at least `min`, or fails with the usage error commander prints. */
export function wholeNumber(option: string, min = 1) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) {
      throw new InvalidArgumentError(`${option} must be a whole number${min === 0 ? ' (0 or more)' : ` of at least ${min}`}.`);
    }
    return n;
  };
}
