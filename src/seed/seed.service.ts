import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CentersService } from '../centers/centers.service';
import { SYSTEM_ACTOR } from '../common/auth/actor';
import { EquipmentService } from '../equipment/equipment.service';
import { APP_CONFIG, AppConfig } from '../infra/config/app-config';
import { OrganizationsService } from '../organizations/organizations.service';
import { ProjectsService } from '../projects/projects.service';
import { UsersService } from '../users/users.service';
import { DEMO_ACCOUNTS, DEMO_CENTER, DEMO_EQUIPMENT, DEMO_ORGANIZATIONS } from './demo-data';

/** Serializes start-up writes between replicas, like the migration lock. */
const SEED_LOCK_ID = 7_461_002_002;
const DEMO_SEEDED = 'demo_seeded';

@Injectable()
export class SeedService {
  private readonly logger = new Logger(SeedService.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly centers: CentersService,
    private readonly organizations: OrganizationsService,
    private readonly users: UsersService,
    private readonly projects: ProjectsService,
    private readonly equipment: EquipmentService,
  ) {}

  /** First admin from ADMIN_EMAIL/ADMIN_PASSWORD, then the demo data when DEMO_SEED is on. */
  async onStart(): Promise<{ demoSeeded: boolean }> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.query('SELECT pg_advisory_lock($1)', [SEED_LOCK_ID]);
      if (this.config.adminEmail && this.config.adminPassword) {
        const created = await this.users.ensureAdmin(SYSTEM_ACTOR, this.config.adminEmail, this.config.adminPassword);
        if (created) this.logger.log(`Created the first admin ${created.email}`);
      }
      const demoSeeded = this.config.demoSeed ? await this.seedDemo() : false;
      return { demoSeeded };
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [SEED_LOCK_ID]).catch(() => undefined);
      await runner.release();
    }
  }

  /**
   * Seeds once. Every item is created only if missing and completion is recorded last, so a
   * start interrupted half-way finishes the job next time instead of leaving half a demo.
   */
  async seedDemo(): Promise<boolean> {
    if (await this.stateValue(DEMO_SEEDED)) return false;
    const actor = SYSTEM_ACTOR;
    const center = (await this.centers.findByCode(DEMO_CENTER.code)) ?? (await this.centers.create(actor, DEMO_CENTER));
    const organization = async (dto: (typeof DEMO_ORGANIZATIONS)[keyof typeof DEMO_ORGANIZATIONS]) =>
      (await this.organizations.findByName(dto.name)) ?? (await this.organizations.create(actor, dto));
    const photonics = await organization(DEMO_ORGANIZATIONS.photonics);
    const venture = await organization(DEMO_ORGANIZATIONS.venture);
    await organization(DEMO_ORGANIZATIONS.university);

    const user = async (dto: Parameters<UsersService['create']>[1]) => {
      if (!(await this.users.findByEmail(dto.email))) await this.users.create(actor, dto);
    };
    await user({ ...DEMO_ACCOUNTS.admin, role: 'admin' });
    await user({ ...DEMO_ACCOUNTS.staff, role: 'staff', centerIds: [center.id] });
    await user({ ...DEMO_ACCOUNTS.member, role: 'member', organizationId: photonics.id });
    await user({ ...DEMO_ACCOUNTS.venture, role: 'member', organizationId: venture.id });

    const project = async (dto: Parameters<ProjectsService['create']>[1]) => {
      if (!(await this.projects.findByCode(dto.organizationId, dto.code))) await this.projects.create(actor, dto);
    };
    await project({ organizationId: photonics.id, code: 'TP-2026-GAN', name: 'GaN HEMT passivation study', rateCategory: 'industry', poNumber: 'PO-88231' });
    await project({ organizationId: venture.id, code: 'HM-PEROV-01', name: 'Perovskite film stability screening', rateCategory: 'venture' });
    for (const tool of DEMO_EQUIPMENT) {
      if (!(await this.equipment.findByCode(center.id, tool.code))) await this.equipment.create(actor, { ...tool, centerId: center.id });
    }
    await this.dataSource.query(`INSERT INTO app_state (key, value) VALUES ($1, 'true') ON CONFLICT (key) DO NOTHING`, [DEMO_SEEDED]);
    this.logger.log(`Seeded the demo center ${DEMO_CENTER.code} with ${DEMO_EQUIPMENT.length} tools`);
    return true;
  }

  private async stateValue(key: string): Promise<unknown> {
    const [row] = (await this.dataSource.query('SELECT value FROM app_state WHERE key = $1', [key])) as { value: unknown }[];
    return row?.value ?? null;
  }
}
