import { Inject, Injectable, Logger } from '@nestjs/common';
import { join } from 'node:path';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ServiceCatalogueService } from '../analysis-services/service-catalogue.service';
import { CentersService } from '../centers/centers.service';
import { SYSTEM_ACTOR } from '../common/auth/actor';
import { EquipmentService } from '../equipment/equipment.service';
import { HandoversService } from '../handovers/handovers.service';
import { CreateLocationDto } from '../locations/dto/location.dto';
import { LocationsService } from '../locations/locations.service';
import { SampleActionsService } from '../samples/sample-actions.service';
import { CreateSampleDto } from '../samples/dto/sample.dto';
import { SamplesService } from '../samples/samples.service';
import { APP_CONFIG, AppConfig } from '../infra/config/app-config';
import { OrganizationsService } from '../organizations/organizations.service';
import { ProjectsService } from '../projects/projects.service';
import { UsersService } from '../users/users.service';
import { DEMO_ACCOUNTS, DEMO_CENTER, DEMO_EQUIPMENT, DEMO_ORGANIZATIONS, DEMO_SERVICES } from './demo-data';

/** Serializes start-up writes between replicas, like the migration lock. */
const SEED_LOCK_ID = 7_461_002_002;
const DEMO_SEEDED = 'demo_seeded';
/** The second stage (storage, samples, a handover target), recorded apart so older demo databases get it too. */
const DEMO_SAMPLES_SEEDED = 'demo_samples_seeded';
/** The third stage: the analysis catalogue. */
const DEMO_SERVICES_SEEDED = 'demo_services_seeded';
const DEMO_TARGET = 'Demo drop folder';

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
    private readonly locations: LocationsService,
    private readonly samples: SamplesService,
    private readonly sampleActions: SampleActionsService,
    private readonly handovers: HandoversService,
    private readonly catalogue: ServiceCatalogueService,
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
      if (this.config.demoSeed) await this.seedDemoSamples();
      if (this.config.demoSeed) await this.seedDemoServices();
      await this.handovers.ensureConfiguredTargets();
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
    await this.markDone(DEMO_SEEDED);
    this.logger.log(`Seeded the demo center ${DEMO_CENTER.code} with ${DEMO_EQUIPMENT.length} tools`);
    return true;
  }

  /**
   * Storage (a dry cabinet with a box of positions), two samples of the demo client (one
   * received and stored, one announced) and a drop-folder handover target under DATA_DIR, so
   * the scan pages and the handover can be tried at once. Each step keeps what a start cut
   * short by a crash already made, and the stage is recorded as done only at the end.
   */
  async seedDemoSamples(): Promise<void> {
    if (await this.stateValue(DEMO_SAMPLES_SEEDED)) return;
    const actor = SYSTEM_ACTOR;
    const center = await this.centers.findByCode(DEMO_CENTER.code);
    const photonics = await this.organizations.findByName(DEMO_ORGANIZATIONS.photonics.name);
    const project = photonics ? await this.projects.findByCode(photonics.id, 'TP-2026-GAN') : null;
    if (!center || !project) return;
    const place = async (name: string, kind: CreateLocationDto['kind'], parentId?: string, capacity?: number): Promise<string> => {
      const [existing] = (await this.dataSource.query(`SELECT id FROM locations WHERE center_id = $1 AND parent_id IS NOT DISTINCT FROM $2 AND name = $3`, [
        center.id,
        parentId ?? null,
        name,
      ])) as { id: string }[];
      return existing?.id ?? (await this.locations.create(actor, { centerId: center.id, parentId, name, kind, capacity })).id;
    };
    const room = await place('Cleanroom A', 'room');
    const cabinet = await place('Dry cabinet 1', 'cabinet', room);
    const box = await place('Box A1', 'box', cabinet, 25);
    const positions: string[] = [];
    for (let i = 1; i <= 5; i++) positions.push(await place(`A1-${i}`, 'position', box));

    const demoSamples: CreateSampleDto[] = [
      { centerId: center.id, projectId: project.id, name: 'GaN-on-Si wafer W07', material: 'GaN/AlGaN on Si(111)', form: 'wafer', quantity: 1, unit: 'pcs', clientRef: 'PO-88231' },
      { centerId: center.id, projectId: project.id, name: 'ALD precursor test coupons', material: 'TMA on Si', form: 'coupon', quantity: 6, unit: 'pcs', hazards: ['GHS02', 'GHS07'] },
    ];
    const registered = async () =>
      (await this.dataSource.query(`SELECT id, name, state FROM samples WHERE project_id = $1 AND name = ANY($2)`, [project.id, demoSamples.map((s) => s.name)])) as {
        id: string;
        name: string;
        state: string;
      }[];
    const before = await registered();
    const missing = demoSamples.filter((dto) => !before.some((row) => row.name === dto.name));
    if (missing.length) await this.samples.register(actor, missing, 'api');
    const wafer = (await registered()).find((row) => row.name === demoSamples[0].name)!;
    if (wafer.state === 'expected') await this.sampleActions.receive(actor, wafer.id, { condition: 'intact', locationId: positions[0] }, { source: 'api' });

    const [target] = (await this.dataSource.query(`SELECT 1 FROM handover_targets WHERE name = $1`, [DEMO_TARGET])) as unknown[];
    if (!target) await this.handovers.createTarget(actor, { name: DEMO_TARGET, kind: 'folder', folder: join(this.config.dataDir, 'dx-dropbox'), default: true });
    await this.markDone(DEMO_SAMPLES_SEEDED);
    this.logger.log('Seeded demo storage, samples and a drop-folder handover target');
  }

  /** The demo center's analysis services (SEM, EDS, XRD), so a service request can be filed at once. */
  async seedDemoServices(): Promise<void> {
    if (await this.stateValue(DEMO_SERVICES_SEEDED)) return;
    const center = await this.centers.findByCode(DEMO_CENTER.code);
    if (!center) return;
    const existing = await this.catalogue.list(SYSTEM_ACTOR, { centerId: center.id, limit: 500 });
    for (const { equipmentCodes, ...service } of DEMO_SERVICES) {
      if (existing.items.some((s) => s.code === service.code)) continue;
      const tools = await Promise.all(equipmentCodes.map((code) => this.equipment.findByCode(center.id, code)));
      await this.catalogue.create(SYSTEM_ACTOR, { ...service, centerId: center.id, equipmentIds: tools.filter((t) => t !== null).map((t) => t.id) });
    }
    await this.markDone(DEMO_SERVICES_SEEDED);
    this.logger.log(`Seeded ${DEMO_SERVICES.length} analysis services`);
  }

  /** The label of the demo wafer, for the welcome message (null without the demo). */
  async demoLabel(): Promise<string | null> {
    const [row] = (await this.dataSource.query(
      `SELECT l.id FROM labels l JOIN samples s ON s.id = l.sample_id WHERE l.status = 'active' AND s.name = 'GaN-on-Si wafer W07' ORDER BY s.created_at LIMIT 1`,
    )) as { id: string }[];
    return row?.id ?? null;
  }

  /** Records a stage as done; later starts skip it. */
  private async markDone(key: string): Promise<void> {
    await this.dataSource.query(`INSERT INTO app_state (key, value) VALUES ($1, 'true') ON CONFLICT (key) DO NOTHING`, [key]);
  }

  private async stateValue(key: string): Promise<unknown> {
    const [row] = (await this.dataSource.query('SELECT value FROM app_state WHERE key = $1', [key])) as { value: unknown }[];
    return row?.value ?? null;
  }
}
