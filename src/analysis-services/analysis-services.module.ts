import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { BillingModule } from '../billing/billing.module';
import { CentersModule } from '../centers/centers.module';
import { DatasetsModule } from '../datasets/datasets.module';
import { EquipmentModule } from '../equipment/equipment.module';
import { OrganizationsModule } from '../organizations/organizations.module';
import { OutboxModule } from '../outbox/outbox.module';
import { ProjectsModule } from '../projects/projects.module';
import { ReservationsModule } from '../reservations/reservations.module';
import { SamplesModule } from '../samples/samples.module';
import { UsersModule } from '../users/users.module';
import { ServiceCatalogueController } from './service-catalogue.controller';
import { ServiceCatalogueService } from './service-catalogue.service';
import { ServiceDocumentsService } from './service-documents.service';
import { ServiceOffering } from './service-offering.entity';
import { ServiceQuote, ServiceQuoteLine } from './service-quote.entity';
import { ServiceReport } from './service-report.entity';
import { ServiceRequest, ServiceRequestItem, ServiceRequestSample, ServiceRequestStatusChange } from './service-request.entity';
import { ServiceRequestsController } from './service-requests.controller';
import { ServiceRequestsService } from './service-requests.service';

/** Analysis services: the catalogue, requests from quote to signed report, and their documents. */
@Module({
  imports: [
    TypeOrmModule.forFeature([ServiceOffering, ServiceRequest, ServiceRequestItem, ServiceRequestSample, ServiceRequestStatusChange, ServiceQuote, ServiceQuoteLine, ServiceReport]),
    AuditModule,
    BillingModule,
    CentersModule,
    DatasetsModule,
    EquipmentModule,
    OrganizationsModule,
    OutboxModule,
    ProjectsModule,
    ReservationsModule,
    SamplesModule,
    UsersModule,
  ],
  controllers: [ServiceCatalogueController, ServiceRequestsController],
  providers: [ServiceCatalogueService, ServiceRequestsService, ServiceDocumentsService],
  exports: [ServiceCatalogueService, ServiceDocumentsService],
})
export class AnalysisServicesModule {}
