import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { CentersModule } from '../centers/centers.module';
import { OutboxModule } from '../outbox/outbox.module';
import { EquipmentProblem } from './equipment-problem.entity';
import { EquipmentProblemsController } from './equipment-problems.controller';
import { EquipmentProblemsService } from './equipment-problems.service';
import { EquipmentStatusChange } from './equipment-status-change.entity';
import { EquipmentListQuery } from './equipment-list.query';
import { EquipmentController } from './equipment.controller';
import { Equipment } from './equipment.entity';
import { EquipmentService } from './equipment.service';

@Module({
  imports: [TypeOrmModule.forFeature([Equipment, EquipmentStatusChange, EquipmentProblem]), AuditModule, CentersModule, OutboxModule],
  controllers: [EquipmentController, EquipmentProblemsController],
  providers: [EquipmentService, EquipmentListQuery, EquipmentProblemsService],
  exports: [EquipmentService],
})
export class EquipmentModule {}
