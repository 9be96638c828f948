import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { CentersModule } from '../centers/centers.module';
import { EquipmentModule } from '../equipment/equipment.module';
import { OutboxModule } from '../outbox/outbox.module';
import { ProjectsModule } from '../projects/projects.module';
import { QualificationsModule } from '../qualifications/qualifications.module';
import { UsersModule } from '../users/users.module';
import { ReservationUsage } from './reservation-usage.entity';
import { Reservation } from './reservation.entity';
import { ReservationsController } from './reservations.controller';
import { ReservationsService } from './reservations.service';

@Module({
  imports: [
    TypeOrmModule.forFeature([Reservation, ReservationUsage]),
    AuditModule,
    OutboxModule,
    EquipmentModule,
    CentersModule,
    ProjectsModule,
    UsersModule,
    QualificationsModule,
  ],
  controllers: [ReservationsController],
  providers: [ReservationsService],
  exports: [ReservationsService],
})
export class ReservationsModule {}

