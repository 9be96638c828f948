import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { CentersModule } from '../centers/centers.module';
import { EquipmentModule } from '../equipment/equipment.module';
import { LabelsModule } from '../labels/labels.module';
import { LocationsModule } from '../locations/locations.module';
import { OutboxModule } from '../outbox/outbox.module';
import { ProjectsModule } from '../projects/projects.module';
import { ReservationsModule } from '../reservations/reservations.module';
import { CustodyReportService } from './custody-report.service';
import { LabelsController } from './labels.controller';
import { LocationHistoryController } from './location-history.controller';
import { SampleActionsService } from './sample-actions.service';
import { SampleLabelsService } from './sample-labels.service';
import { SampleEvent } from './sample-event.entity';
import { SampleEventsService } from './sample-events.service';
import { Sample } from './sample.entity';
import { SamplesController } from './samples.controller';
import { SamplesService } from './samples.service';
import { ScanController } from './scan.controller';
import { ScanService } from './scan.service';

@Module({
  imports: [TypeOrmModule.forFeature([Sample, SampleEvent]), AuditModule, CentersModule, EquipmentModule, LabelsModule, LocationsModule, ProjectsModule, ReservationsModule, OutboxModule],
  controllers: [SamplesController, ScanController, LabelsController, LocationHistoryController],
  providers: [SamplesService, SampleEventsService, SampleActionsService, SampleLabelsService, ScanService, CustodyReportService],
  exports: [SamplesService, SampleActionsService, ScanService],
})
export class SamplesModule {}
