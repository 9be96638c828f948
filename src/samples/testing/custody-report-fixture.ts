/**
 * Test support: a realistic custody report for the PDF renderer — a die cut from a wafer,
 * with the wafer's events before the split (inherited), Japanese names, two hazards and a
 * properly linked hash chain. Not used by the application.
 */
import { createHash } from 'node:crypto';
import { labelIdCheckCharacter } from '../../labels/label-id';
import type { CustodyReport, CustodyReportEvent } from '../custody-report';

export const FIXTURE_CODE = 'KNS-26-000123';
export const FIXTURE_PARENT_CODE = 'KNS-26-000001';
/** A valid label ID (check character computed), printed as `7K3M9-QX24x`. */
export const FIXTURE_LABEL_ID = `7K3M9QX24${labelIdCheckCharacter('7K3M9QX24')}`;

const ACTORS = [
  { name: '山田 太郎', role: 'staff' },
  { name: '佐藤 花子', role: 'member' },
  { name: 'Jane Whitfield', role: 'admin' },
  { name: '鈴木 一郎', role: 'staff' },
];
const TYPES = ['location_changed', 'custody_changed', 'process_step', 'measured', 'label_printed', 'hold_placed', 'hold_released'];
const LOCATIONS = ['クリーンルーム1 / デシケータ A', 'Bay 3 / Nitrogen cabinet N2-04', null];
const EQUIPMENT = ['MOCVD-02', 'XRD-01', 'SEM-JSM7800F', null];

export interface FixtureOptions {
  /** Events in all, the first `inherited` of them the parent wafer's. */
  events?: number;
  inherited?: number;
  brokenSeq?: number;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export function custodyReportFixture(options: FixtureOptions = {}): CustodyReport {
  const total = options.events ?? 60;
  const inheritedCount = options.inherited ?? 12;
  const start = Date.UTC(2026, 10, 28, 1, 15); // 2026-11-28 10:15 in Tokyo
  const events: CustodyReportEvent[] = [];
  let prev: { code: string; hash: string } | null = null;
  let ownSeq = 0;
  let parentSeq = 0;
  for (let i = 0; i < total; i++) {
    const inherited = i < inheritedCount;
    const code = inherited ? FIXTURE_PARENT_CODE : FIXTURE_CODE;
    const seq = inherited ? ++parentSeq : ++ownSeq;
    const actor = ACTORS[i % ACTORS.length];
    const type = i === 0 || i === inheritedCount ? 'registered' : TYPES[i % TYPES.length];
    const occurredAt = new Date(start + i * 47 * 60_000);
    const prevHash: string | null = prev && prev.code === code ? prev.hash : null;
    const hash = sha256(`${code}/${seq}/${type}/${occurredAt.toISOString()}/${prevHash ?? ''}`);
    prev = { code, hash };
    events.push({
      seq,
      sampleCode: code,
      inherited,
      type,
      occurredAt,
      // Scans made offline are recorded later.
      recordedAt: new Date(occurredAt.getTime() + (i % 5 === 0 ? 3 * 3_600_000 : 4_000)),
      actorName: i % 11 === 10 ? null : actor.name,
      actorRole: i % 11 === 10 ? null : actor.role,
      onBehalfOfName: i % 9 === 4 ? '高橋 美咲' : null,
      source: i % 3 === 0 ? 'scan' : 'ui',
      scannedLabel: i % 3 === 0 ? FIXTURE_LABEL_ID : null,
      reason: i % 13 === 6 ? '目視検査で端部に欠けを確認したため保留。Edge chipping found on visual inspection; held for review by the process owner.' : null,
      fromState: type === 'hold_placed' ? 'available' : type === 'hold_released' ? 'on_hold' : null,
      toState: type === 'hold_placed' ? 'on_hold' : type === 'hold_released' ? 'available' : type === 'registered' ? 'expected' : null,
      locationName: LOCATIONS[i % LOCATIONS.length],
      equipmentCode: type === 'process_step' || type === 'measured' ? EQUIPMENT[i % EQUIPMENT.length] : null,
      summary: `${type.replace(/_/g, ' ')} — ${inherited ? 'ウェハ全体' : 'ダイ'} #${seq}`,
      hash,
      prevHash,
    });
  }
  const own = events.filter((event) => !event.inherited);
  const broken = options.brokenSeq !== undefined;
  return {
    sample: {
      id: '5f0c7a8e-3b1d-4c2e-9f6a-1d2b3c4d5e6f',
      code: FIXTURE_CODE,
      name: 'GaN-on-Si ダイ 3-B（エッジ部）',
      material: '窒化ガリウム GaN on Si(111)',
      form: 'die',
      quantity: 1,
      unit: 'pcs',
      hazards: ['GHS02', 'GHS07'],
      state: 'available',
      ownerName: '山田 太郎',
      projectCode: 'PRJ-2026-014',
      centerCode: 'KNS',
      centerName: '神奈川プロセス開発センター',
      timezone: 'Asia/Tokyo',
      labelId: FIXTURE_LABEL_ID,
      registeredAt: new Date(start),
      locationPath: 'Building A / クリーンルーム1 / デシケータ A / Shelf 2',
    },
    events,
    chain: broken
      ? { ok: false, checked: options.brokenSeq!, headHash: own[own.length - 1]?.hash ?? null, firstBroken: { seq: options.brokenSeq!, reason: 'hash does not match the entry' } }
      : { ok: true, checked: own.length, headHash: own[own.length - 1]?.hash ?? null },
    generatedAt: new Date(Date.UTC(2026, 11, 1, 6, 30)),
    generatedBy: '佐藤 花子 (QA)',
  };
}
