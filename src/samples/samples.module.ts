import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { CentersModule } from '../centers/centers.module';
import { EquipmentModule } from '../equipment/equipment.module';
import { LabelsModule } from '../labels/labels.module';
import { LocationsModule } from '../locations/locations.module';
import { ProjectsModule } from '../projects/projects.module';
import { ReservationsModule } from '../reservations/reservations.module';
import { SampleActionsService } from './sample-actions.service';
import { SampleEvent } from './sample-event.entity';
import { SampleEventsService } from './sample-events.service';
import { Sample } from './sample.entity';
import { SamplesController } from './samples.controller';
import { SamplesService } from './samples.service';

@Module({
  imports: [TypeOrmModule.forFeature([Sample, SampleEvent]), AuditModule, CentersModule, EquipmentModule, LabelsModule, LocationsModule, ProjectsModule, ReservationsModule],
  controllers: [SamplesController],
  providers: [SamplesService, SampleEventsService, SampleActionsService],
  exports: [SamplesService, SampleActionsService],
})
export class SamplesModule {}
