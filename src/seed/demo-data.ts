import type { CreateCenterDto } from '../centers/dto/center.dto';
import type { CreateEquipmentDto } from '../equipment/dto/equipment.dto';
import type { CreateOrganizationDto } from '../organizations/dto/organization.dto';

/** Demo sign-ins printed at the first embedded start. Change them before real use. */
export const DEMO_ACCOUNTS = {
  admin: { email: 'admin@foundry-hub.local', password: 'foundry-hub-admin', displayName: 'Center Administrator' },
  staff: { email: 'staff@foundry-hub.local', password: 'foundry-hub-staff', displayName: '山田 健 (Ken Yamada)' },
  member: { email: 'member@tsukuba-photonics.example', password: 'foundry-hub-member', displayName: '佐藤 花子 (Hanako Sato)' },
  venture: { email: 'member@hikari-materials.example', password: 'foundry-hub-venture', displayName: 'Daniel Okafor' },
} as const;

export const DEMO_CENTER: CreateCenterDto = {
  code: 'KNS',
  nameJa: '関東ナノ材料プロセスイノベーションセンター',
  nameEn: 'Kanto Nanomaterials Process Innovation Center',
  timezone: 'Asia/Tokyo',
  address: '1-2-3 Sengen, Tsukuba, Ibaraki 305-0047, Japan',
  contactEmail: 'foundry@kns.example.jp',
  invoiceRegistrationNumber: 'T1050005005005',
};

export const DEMO_ORGANIZATIONS: Record<'photonics' | 'venture' | 'university', CreateOrganizationDto> = {
  photonics: { name: 'Tsukuba Photonics K.K.', nameJa: 'つくばフォトニクス株式会社', kind: 'company', billingAddress: '2-1-1 Sengen, Tsukuba, Ibaraki', language: 'ja' },
  venture: { name: 'Hikari Materials Inc.', nameJa: 'ヒカリマテリアルズ株式会社', kind: 'venture', billingAddress: '4-6-1 Komaba, Meguro-ku, Tokyo', language: 'en' },
  university: { name: 'University of Tsukuba', nameJa: '筑波大学', kind: 'academic', billingAddress: '1-1-1 Tennodai, Tsukuba, Ibaraki', language: 'ja' },
};

const weekdays = [{ days: [1, 2, 3, 4, 5], start: '08:30', end: '20:00' }];

type DemoTool = Omit<CreateEquipmentDto, 'centerId'>;

export const DEMO_EQUIPMENT: DemoTool[] = [
  {
    code: 'MLA-01', nameJa: 'マスクレス露光装置', nameEn: 'Maskless lithography writer (405 nm)', kind: 'process', category: 'lithography',
    location: 'Cleanroom A, yellow bay', requiresQualification: true, remoteCapable: false,
    rates: { academic: 4000, industry: 15000, venture: 8000 },
    policy: { slotMinutes: 30, minMinutes: 30, maxMinutes: 480, leadMinutes: 60, horizonDays: 90, bufferMinutes: 15, requiresApproval: false, cancellationHours: 24, bookableHours: weekdays, maxHoursPerOrganizationPerWeek: 40 },
  },
  {
    code: 'ALD-01', nameJa: '原子層堆積装置', nameEn: 'Thermal/plasma ALD system', kind: 'process', category: 'deposition',
    location: 'Cleanroom B, bay 3', requiresQualification: true, remoteCapable: false,
    rates: { academic: 5000, industry: 18000, venture: 9000 },
    policy: { slotMinutes: 60, minMinutes: 60, maxMinutes: 1440, leadMinutes: 120, horizonDays: 60, bufferMinutes: 30, requiresApproval: true, cancellationHours: 48 },
  },
  {
    code: 'RIE-01', nameJa: '反応性イオンエッチング装置', nameEn: 'ICP-RIE etcher (Cl/F chemistries)', kind: 'process', category: 'etch',
    location: 'Cleanroom B, bay 5', requiresQualification: true, remoteCapable: false,
    rates: { academic: 4500, industry: 16000, venture: 8500 },
    policy: { slotMinutes: 30, minMinutes: 30, maxMinutes: 360, leadMinutes: 60, horizonDays: 60, bufferMinutes: 15, requiresApproval: false, cancellationHours: 24, bookableHours: weekdays },
  },
  {
    code: 'FUR-01', nameJa: '横型管状炉', nameEn: 'Horizontal tube furnace (1200 °C, N2/O2/forming gas)', kind: 'process', category: 'thermal',
    location: 'Furnace room', requiresQualification: true, remoteCapable: false,
    rates: { academic: 2000, industry: 8000, venture: 4000 },
    policy: { slotMinutes: 60, minMinutes: 60, maxMinutes: 2880, leadMinutes: 120, horizonDays: 90, bufferMinutes: 60, requiresApproval: false, cancellationHours: 24 },
  },
  {
    code: 'SEM-01', nameJa: '電界放出形走査電子顕微鏡', nameEn: 'Field-emission SEM with EDS', kind: 'analysis', category: 'microscopy',
    location: 'Analysis lab 1', requiresQualification: true, remoteCapable: true,
    rates: { academic: 6000, industry: 20000, venture: 10000 },
    policy: { slotMinutes: 30, minMinutes: 30, maxMinutes: 240, leadMinutes: 30, horizonDays: 30, bufferMinutes: 0, requiresApproval: false, cancellationHours: 24, bookableHours: weekdays },
  },
  {
    code: 'XRD-01', nameJa: 'X線回折装置', nameEn: 'X-ray diffractometer (thin-film, Cu Kα)', kind: 'analysis', category: 'diffraction',
    location: 'Analysis lab 2', requiresQualification: false, remoteCapable: true,
    rates: { academic: 3000, industry: 12000, venture: 6000 },
    policy: { slotMinutes: 30, minMinutes: 30, maxMinutes: 720, leadMinutes: 30, horizonDays: 30, bufferMinutes: 0, requiresApproval: false, cancellationHours: 12 },
  },
];

/** The demo center's analysis catalogue; `equipmentCodes` name tools of DEMO_EQUIPMENT. */
export const DEMO_SERVICES = [
  {
    code: 'SEM-IMG', nameJa: 'SEM 観察（二次電子像）', nameEn: 'SEM imaging (secondary electrons)', technique: 'SEM', unit: 'sample' as const,
    equipmentCodes: ['SEM-01'], prices: { academic: 8000, industry: 24000, venture: 12000 }, turnaroundDays: 10,
    sampleRequirements: [{ key: 'size', description: 'At most 20 × 20 × 5 mm' }, { key: 'conductivity', description: 'Conductive, or state that it needs coating' }],
  },
  {
    code: 'SEM-EDS', nameJa: 'EDS 元素分析', nameEn: 'EDS elemental analysis', technique: 'EDS', unit: 'measurement' as const,
    equipmentCodes: ['SEM-01'], prices: { academic: 6000, industry: 18000, venture: 9000 }, turnaroundDays: 10,
    sampleRequirements: [{ key: 'elements', description: 'Elements of interest' }],
  },
  {
    code: 'XRD-TF', nameJa: '薄膜 XRD 測定', nameEn: 'Thin-film XRD', technique: 'XRD', unit: 'hour' as const,
    equipmentCodes: ['XRD-01'], prices: { academic: 5000, industry: 20000, venture: 10000 }, turnaroundDays: 14,
    sampleRequirements: [{ key: 'substrate', description: 'Substrate and film stack' }],
  },
];
