import { closeSync, openSync, writeSync } from 'node:fs';
import type { Tenant } from './tenant/tenant.js';

/**
 * The keys a client database must hold live after a complete pull of every collection, one per
 * line: `E|<entity type>|<id>` for every live object, `R|<relation>|<source type>|<source id>|
 * <target type>|<target id>|<scope>` for every effective link (users and groups, the apps-and-roles
 * directory, and licensedWith derived from the live users' assignedLicenses to `<tenantId>_<skuId>`).
 */
export function* wholeTruthKeys(tenant: Tenant, o: { tenantId: string; memberReadHidden?: boolean }): Generator<string> {
  const core = tenant.truth();
  for (const e of core.entities) yield `E|${e.type}|${e.id}`;
  for (const r of core.relations) yield `R|${r.relation}|${r.sourceType}|${r.sourceId}|${r.targetType}|${r.targetId}|`;
  const d = tenant.directory.truth({ memberReadHidden: o.memberReadHidden });
  for (const e of d.entities) yield `E|${e.type}|${e.id}`;
  for (const r of d.relations) yield `R|${r.relation}|${r.sourceType}|${r.sourceId}|${r.targetType}|${r.targetId}|${r.scope}`;
  for (const u of tenant.users.values()) {
    if (u.state !== 'live') continue;
    const held = (u.props.assignedLicenses as { skuId: string }[] | null | undefined) ?? [];
    for (const sku of new Set(held.map((l) => l.skuId))) yield `R|licensedWith|user|${u.id}|subscribedSku|${o.tenantId}_${sku}|`;
  }
}

/** Writes lines to a file in 1 MiB chunks (the benchmark tenant has millions of keys). */
export function writeLines(path: string, lines: Iterable<string>): number {
  const fd = openSync(path, 'w');
  let n = 0;
  try {
    let buf = '';
    for (const line of lines) {
      buf += `${line}\n`;
      n++;
      if (buf.length >= 1 << 20) {
        writeSync(fd, buf);
        buf = '';
      }
    }
    writeSync(fd, buf);
  } finally {
    closeSync(fd);
  }
  return n;
}
