import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, EntityManager, Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { CentersService } from '../centers/centers.service';
import { Actor, canManageCenter } from '../common/auth/actor';
import { AppError } from '../common/errors/app-error';
import { CursorCodec, Page } from '../common/pagination/cursor';
import { scopedQuery } from '../common/tenancy/tenant-scope';
import { JobName } from '../infra/queue/queue-name';
import { OutboxService } from '../outbox/outbox.service';
import { ProblemQueryDto, ReportProblemDto, ResolveProblemDto } from './dto/equipment-problem.dto';
import { EquipmentProblem, EquipmentProblemView } from './equipment-problem.entity';
import { Equipment } from './equipment.entity';
import { EquipmentService } from './equipment.service';

const AUDIT_ENTITY = 'equipment_problem';

/** The first `length` characters (code points, so no character is cut in half). */
function excerpt(text: string, length = 200): string {
  return Array.from(text).slice(0, length).join('');
}

/**
 * Everyone who can see a tool sees its problems, but a member is told who reported a problem
 * (user and organization) only when their own organization reported it.
 */
export function problemView(actor: Actor, problem: EquipmentProblem): EquipmentProblemView {
  if (actor.role !== 'member' || (problem.organizationId !== null && problem.organizationId === actor.organizationId)) return problem;
  const { reportedBy: _reportedBy, organizationId: _organizationId, ...rest } = problem;
  return rest;
}

@Injectable()
export class EquipmentProblemsService {
  constructor(
    @InjectRepository(EquipmentProblem) private readonly problems: Repository<EquipmentProblem>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly equipment: EquipmentService,
    private readonly centers: CentersService,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
    private readonly cursors: CursorCodec,
  ) {}

  /** The tool's problem history, newest first. */
  async list(actor: Actor, equipmentId: string, query: ProblemQueryDto): Promise<Page<EquipmentProblemView>> {
    await this.equipment.get(actor, equipmentId);
    const qb = scopedQuery(this.problems, 'p', actor).andWhere('p.equipment_id = :equipmentId', { equipmentId });
    if (query.status) qb.andWhere('p.status = :status', { status: query.status });
    const page = await this.cursors.paginate(
      qb,
      [
        { column: 'p.created_at', value: (p) => p.createdAt.toISOString(), direction: 'DESC' },
        { column: 'p.id', value: (p) => p.id, direction: 'DESC' },
      ],
      query,
    );
    return { items: page.items.map((problem) => problemView(actor, problem)), nextCursor: page.nextCursor };
  }

  /** Any signed-in caller may report; a safety hazard is mailed to the center at once. */
  async report(actor: Actor, equipmentId: string, dto: ReportProblemDto): Promise<EquipmentProblemView> {
    const tool = await this.equipment.get(actor, equipmentId);
    const safetyHazard = dto.safetyHazard ?? false;
    const center = safetyHazard ? await this.centers.get(actor, tool.centerId) : null;
    return this.dataSource.transaction(async (em) => {
      const created = await this.audit.insert(em, actor, EquipmentProblem, AUDIT_ENTITY, {
        equipmentId,
        reportedBy: actor.userId,
        organizationId: actor.role === 'member' ? actor.organizationId : null,
        description: dto.description,
        urgency: dto.urgency,
        safetyHazard,
      });
      if (safetyHazard && center?.contactEmail) {
        await this.outbox.add(
          em,
          JobName.SendMail,
          {
            to: center.contactEmail,
            template: 'equipment-problem',
            data: {
              center: center.nameEn,
              centerJa: center.nameJa,
              equipment: `${tool.code} ${tool.nameEn}`,
              equipmentJa: `${tool.code} ${tool.nameJa}`,
              equipmentId,
              problemId: created.id,
              urgency: created.urgency,
              safetyHazard: 'yes',
              description: created.description,
            },
          },
          actor.requestId,
        );
      }
      return problemView(actor, created);
    });
  }

  /** Marks the problem as forcing a shutdown and takes the tool `down` (kept in its status history). */
  async shutdown(actor: Actor, equipmentId: string, problemId: string): Promise<EquipmentProblemView> {
    await this.assertManages(actor, equipmentId, 'Only staff of this center may shut its equipment down');
    return this.dataSource.transaction(async (em) => {
      const tool = await this.equipment.lockForBooking(em, equipmentId);
      const problem = await this.lockProblem(em, equipmentId, problemId);
      if (problem.status === 'resolved') throw new AppError('invalid-transition', 'This problem is resolved; report a new one');
      if (problem.forcesShutdown) throw new AppError('invalid-transition', 'This problem already forces a shutdown');
      const updated = await this.audit.update(em, actor, EquipmentProblem, AUDIT_ENTITY, problemId, { forcesShutdown: true }, { action: 'shutdown' });
      // A retired tool stays retired; one already down stays down with its first reason.
      if (tool.status !== 'down' && tool.status !== 'retired') {
        await this.equipment.update(actor, equipmentId, { status: 'down', statusReason: `problem reported: ${excerpt(problem.description)}` }, em);
      }
      return problemView(actor, updated);
    });
  }

  /**
   * Resolves the problem. If it forced a shutdown and no other open problem does, the tool
   * returns to service; a status staff set by hand meanwhile (maintenance, retired) is kept.
   */
  async resolve(actor: Actor, equipmentId: string, problemId: string, dto: ResolveProblemDto): Promise<EquipmentProblemView> {
    await this.assertManages(actor, equipmentId, 'Only staff of this center may resolve problems of its equipment');
    return this.dataSource.transaction(async (em) => {
      // The equipment row is locked first (as in shutdown), so two resolutions of one tool's
      // problems never both see the other as still open.
      const tool = await this.equipment.lockForBooking(em, equipmentId);
      const problem = await this.lockProblem(em, equipmentId, problemId);
      if (problem.status === 'resolved') throw new AppError('invalid-transition', 'This problem is already resolved');
      const updated = await this.audit.update(
        em,
        actor,
        EquipmentProblem,
        AUDIT_ENTITY,
        problemId,
        { status: 'resolved', resolution: dto.resolution, resolvedBy: actor.userId, resolvedAt: new Date() },
        { action: 'resolve' },
      );
      if (problem.forcesShutdown && tool.status === 'down') {
        const stillForcing = await em.countBy(EquipmentProblem, { equipmentId, status: 'open', forcesShutdown: true });
        if (stillForcing === 0) {
          await this.equipment.update(actor, equipmentId, { status: 'available', statusReason: `problem resolved: ${excerpt(dto.resolution)}` }, em);
        }
      }
      return problemView(actor, updated);
    });
  }

  private async assertManages(actor: Actor, equipmentId: string, message: string): Promise<Equipment> {
    const tool = await this.equipment.get(actor, equipmentId);
    if (!canManageCenter(actor, tool.centerId)) throw AppError.forbidden(message);
    return tool;
  }

  /** The problem of this equipment, locked; a problem of another tool is a 404 like a missing one. */
  private async lockProblem(em: EntityManager, equipmentId: string, problemId: string): Promise<EquipmentProblem> {
    const problem = await em.findOne(EquipmentProblem, { where: { id: problemId, equipmentId }, lock: { mode: 'pessimistic_write' } });
    if (!problem) throw AppError.notFound('equipment problem', problemId);
    return problem;
  }
}
