/** Checks of the schedule syntaxes the recipes use. Each returns a list of problems, empty when valid. */

const CRON_FIELDS = [
  { name: 'minute', min: 0, max: 59, names: [] as string[] },
  { name: 'hour', min: 0, max: 23, names: [] as string[] },
  { name: 'day of month', min: 1, max: 31, names: [] as string[] },
  { name: 'month', min: 1, max: 12, names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] },
  { name: 'day of week', min: 0, max: 7, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
];

/** A five-field cron schedule (crontab(5); Kubernetes CronJob `schedule`): `*`, numbers, ranges, lists, steps, names. */
export function cronScheduleProblems(schedule: string): string[] {
  const fields = schedule.trim().split(/\s+/);
  if (fields.length !== 5) return [`"${schedule}" has ${fields.length} fields, not 5`];
  const problems: string[] = [];
  fields.forEach((field, i) => {
    const spec = CRON_FIELDS[i]!;
    const num = (t: string): number | undefined => {
      const n = spec.names.indexOf(t.toLowerCase());
      if (n >= 0) return n + (spec.name === 'month' ? 1 : 0);
      return /^\d+$/.test(t) ? Number(t) : undefined;
    };
    for (const item of field.split(',')) {
      const m = /^(\*|[a-z0-9]+(?:-[a-z0-9]+)?)(?:\/(\d+))?$/i.exec(item);
      if (!m) {
        problems.push(`${spec.name} "${item}" is not *, a value, a range or a step`);
        continue;
      }
      if (m[2] !== undefined && Number(m[2]) < 1) problems.push(`${spec.name} step "${item}" must be at least 1`);
      if (m[1] === '*') continue;
      const bounds = m[1]!.split('-');
      const a = num(bounds[0]!);
      const b = bounds[1] === undefined ? undefined : num(bounds[1]);
      if (a === undefined || (bounds[1] !== undefined && b === undefined)) {
        problems.push(`${spec.name} "${item}" is not a number or name`);
        continue;
      }
      for (const v of b === undefined ? [a] : [a, b]) {
        if (v < spec.min || v > spec.max) problems.push(`${spec.name} ${v} is outside ${spec.min}-${spec.max}`);
      }
      if (b !== undefined && b < a) problems.push(`${spec.name} range "${item}" runs backwards`);
    }
  });
  return problems;
}

/**
 * A systemd calendar event (systemd.time(7)), in the forms a recipe uses: a shorthand (`daily`, ...) or
 * `[weekday] *-*-* HH:MM[:SS]` with `*`, numbers, lists, ranges (`..`) and steps in each part.
 */
export function onCalendarProblems(text: string): string[] {
  const shorthand = /^(minutely|hourly|daily|weekly|monthly|yearly|annually|quarterly|semiannually)$/i;
  if (shorthand.test(text.trim())) return [];
  const part = '[*0-9][0-9*,./]*(?:\\.\\.[0-9]+)?';
  const full = new RegExp(`^(?:[A-Za-z,.]+ )?(?:${part}-${part}-${part} )?${part}:${part}(?::${part})?(?: [A-Za-z/_+-]+)?$`);
  if (!full.test(text.trim())) return [`OnCalendar "${text}" is not a calendar event such as "daily" or "*-*-* 03:00:00"`];
  const time = /(\d+):(\d+)(?::(\d+))?/.exec(text);
  if (time && (Number(time[1]) > 23 || Number(time[2]) > 59 || Number(time[3] ?? 0) > 59)) return [`OnCalendar "${text}" has an impossible time`];
  return [];
}

/** A systemd time span (systemd.time(7)): `1h`, `30min`, `2h 30min`, `90` (seconds), `5min 20s`. */
export function timeSpanSeconds(text: string): number | undefined {
  const units: Record<string, number> = {
    us: 1e-6, usec: 1e-6, ms: 1e-3, msec: 1e-3, s: 1, sec: 1, second: 1, seconds: 1,
    m: 60, min: 60, minute: 60, minutes: 60, h: 3600, hr: 3600, hour: 3600, hours: 3600,
    d: 86400, day: 86400, days: 86400, w: 604800, week: 604800, weeks: 604800,
  };
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  let total = 0;
  let rest = trimmed;
  while (rest !== '') {
    const m = /^(\d+)\s*([a-z]+)\s*/i.exec(rest);
    if (!m || units[m[2]!.toLowerCase()] === undefined) return undefined;
    total += Number(m[1]) * units[m[2]!.toLowerCase()]!;
    rest = rest.slice(m[0].length);
  }
  return total;
}

/** A Kubernetes memory quantity in bytes (`384Mi`, `1Gi`, `500M`, `268435456`), or undefined. */
export function memoryBytes(quantity: string | number): number | undefined {
  if (typeof quantity === 'number') return quantity;
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(quantity.trim());
  if (!m) return undefined;
  const factor: Record<string, number> = { '': 1, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, k: 1e3, M: 1e6, G: 1e9, T: 1e12 };
  return Number(m[1]) * factor[m[2] ?? '']!;
}
