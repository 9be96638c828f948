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

  /** Seeds once: a database that already has a center is left alone. */
  async seedDemo(): Promise<boolean> {
    const [anyCenter] = (await this.dataSource.query('SELECT 1 FROM centers LIMIT 1')) as unknown[];
    if (anyCenter) return false;
    const actor = SYSTEM_ACTOR;
    const center = await this.centers.create(actor, DEMO_CENTER);
    const photonics = await this.organizations.create(actor, DEMO_ORGANIZATIONS.photonics);
    const venture = await this.organizations.create(actor, DEMO_ORGANIZATIONS.venture);
    await this.organizations.create(actor, DEMO_ORGANIZATIONS.university);

    await this.users.ensureAdmin(actor, DEMO_ACCOUNTS.admin.email, DEMO_ACCOUNTS.admin.password, DEMO_ACCOUNTS.admin.displayName);
    await this.users.create(actor, { ...DEMO_ACCOUNTS.staff, role: 'staff', centerIds: [center.id] });
    await this.users.create(actor, { ...DEMO_ACCOUNTS.member, role: 'member', organizationId: photonics.id });
    await this.users.create(actor, { ...DEMO_ACCOUNTS.venture, role: 'member', organizationId: venture.id });

    await this.projects.create(actor, { organizationId: photonics.id, code: 'TP-2026-GAN', name: 'GaN HEMT passivation study', rateCategory: 'industry', poNumber: 'PO-88231' });
    await this.projects.create(actor, { organizationId: venture.id, code: 'HM-PEROV-01', name: 'Perovskite film stability screening', rateCategory: 'venture' });
    for (const tool of DEMO_EQUIPMENT) await this.equipment.create(actor, { ...tool, centerId: center.id });
    this.logger.log(`Seeded the demo center ${center.code} with ${DEMO_EQUIPMENT.length} tools`);
    return true;
  }
}
