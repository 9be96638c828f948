import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { CentersModule } from '../centers/centers.module';
import { EquipmentStatusChange } from './equipment-status-change.entity';
import { EquipmentListQuery } from './equipment-list.query';
import { EquipmentController } from './equipment.controller';
import { Equipment } from './equipment.entity';
import { EquipmentService } from './equipment.service';

@Module({
  imports: [TypeOrmModule.forFeature([Equipment, EquipmentStatusChange]), AuditModule, CentersModule],
  controllers: [EquipmentController],
  providers: [EquipmentService, EquipmentListQuery],
  exports: [EquipmentService],
})
export class EquipmentModule {}
