import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { DatasetsModule } from '../datasets/datasets.module';
import { OutboxModule } from '../outbox/outbox.module';
import { HandoverTarget } from './handover-target.entity';
import { Handover } from './handover.entity';
import { HandoversController } from './handovers.controller';
import { HandoversService } from './handovers.service';

@Module({
  imports: [TypeOrmModule.forFeature([Handover, HandoverTarget]), AuditModule, DatasetsModule, OutboxModule],
  controllers: [HandoversController],
  providers: [HandoversService],
  exports: [HandoversService],
})
export class HandoversModule {}
