import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { CentersModule } from '../centers/centers.module';
import { EquipmentModule } from '../equipment/equipment.module';
import { OutboxModule } from '../outbox/outbox.module';
import { ProjectsModule } from '../projects/projects.module';
import { QualificationsModule } from '../qualifications/qualifications.module';
import { UsersModule } from '../users/users.module';
import { AvailabilityController } from './availability.controller';
import { AvailabilityService } from './availability.service';
import { ReservationUsage } from './reservation-usage.entity';
import { Reservation } from './reservation.entity';
import { ReservationsController } from './reservations.controller';
import { ReservationsService } from './reservations.service';
import { ReservationSeries } from './reservation-series.entity';
import { Run } from './run.entity';
import { RunsController } from './runs.controller';
import { RunsService } from './runs.service';
import { SeriesController } from './series.controller';
import { SeriesService } from './series.service';

@Module({
  imports: [
    TypeOrmModule.forFeature([Reservation, ReservationUsage, Run, ReservationSeries]),
    AuditModule,
    OutboxModule,
    EquipmentModule,
    CentersModule,
    ProjectsModule,
    UsersModule,
    QualificationsModule,
  ],
  controllers: [SeriesController, ReservationsController, AvailabilityController, RunsController],
  providers: [ReservationsService, AvailabilityService, RunsService, SeriesService],
  exports: [ReservationsService],
})
export class ReservationsModule {}

