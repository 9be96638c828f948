import { CentersService } from '../../src/centers/centers.service';
import { SYSTEM_ACTOR } from '../../src/common/auth/actor';
import { EquipmentService } from '../../src/equipment/equipment.service';
import { OrganizationsService } from '../../src/organizations/organizations.service';
import { ProjectsService } from '../../src/projects/projects.service';
import { DEMO_EQUIPMENT } from '../../src/seed/demo-data';
import { UsersService } from '../../src/users/users.service';
import { TestApp } from './test-app';

export const PASSWORD = 'a-long-test-password';

/** Two centers, two client organizations, one account per role, projects and tools, with tokens. */
export async function seedWorld(t: TestApp) {
  const actor = SYSTEM_ACTOR;
  const centers = t.app.get(CentersService);
  const organizations = t.app.get(OrganizationsService);
  const users = t.app.get(UsersService);
  const projects = t.app.get(ProjectsService);
  const equipment = t.app.get(EquipmentService);

  const kns = await centers.create(actor, { code: 'KNS', nameJa: '関東センター', nameEn: 'Kanto Center', timezone: 'Asia/Tokyo' });
  const kyu = await centers.create(actor, { code: 'KYU', nameJa: '九州センター', nameEn: 'Kyushu Center', timezone: 'Asia/Tokyo' });
  const orgA = await organizations.create(actor, { name: 'Alpha Devices K.K.', kind: 'company' });
  const orgB = await organizations.create(actor, { name: 'Beta Materials Inc.', kind: 'venture' });

  const admin = await users.create(actor, { email: 'admin@hub.test', password: PASSWORD, displayName: 'Admin', role: 'admin' });
  const staff = await users.create(actor, { email: 'staff@hub.test', password: PASSWORD, displayName: 'Staff KNS', role: 'staff', centerIds: [kns.id] });
  const memberA = await users.create(actor, { email: 'a@alpha.test', password: PASSWORD, displayName: 'Alice Alpha', role: 'member', organizationId: orgA.id });
  const memberB = await users.create(actor, { email: 'b@beta.test', password: PASSWORD, displayName: 'Bob Beta', role: 'member', organizationId: orgB.id });

  const projectA = await projects.create(actor, { organizationId: orgA.id, code: 'A-1', name: 'Alpha GaN', rateCategory: 'industry' });
  const projectB = await projects.create(actor, { organizationId: orgB.id, code: 'B-1', name: 'Beta perovskite', rateCategory: 'venture' });

  const tools = [];
  for (const tool of DEMO_EQUIPMENT.slice(0, 3)) tools.push(await equipment.create(actor, { ...tool, centerId: kns.id }));
  const kyuTool = await equipment.create(actor, { ...DEMO_EQUIPMENT[4], centerId: kyu.id });

  return {
    centers: { kns, kyu },
    orgs: { a: orgA, b: orgB },
    users: { admin, staff, memberA, memberB },
    projects: { a: projectA, b: projectB },
    tools: [...tools, kyuTool],
    kyuTool,
    tokens: {
      admin: t.tokenFor(admin.id, 'admin'),
      staff: t.tokenFor(staff.id, 'staff'),
      memberA: t.tokenFor(memberA.id, 'member'),
      memberB: t.tokenFor(memberB.id, 'member'),
    },
  };
}

export type World = Awaited<ReturnType<typeof seedWorld>>;

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/** A valid equipment body for POST /equipment. */
export function equipmentBody(centerId: string, code: string) {
  return {
    centerId,
    code,
    nameJa: 'テスト装置',
    nameEn: 'Test tool',
    kind: 'analysis',
    category: 'microscopy',
    requiresQualification: false,
    rates: { academic: 1000, industry: 4000, venture: 2000 },
    policy: { slotMinutes: 30, minMinutes: 30, maxMinutes: 240, leadMinutes: 0, horizonDays: 30, bufferMinutes: 0, requiresApproval: false, cancellationHours: 24 },
  };
}
