import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { CentersModule } from '../centers/centers.module';
import { OrganizationsModule } from '../organizations/organizations.module';
import { OutboxModule } from '../outbox/outbox.module';
import { BillingService } from './billing.service';
import { Charge } from './charge.entity';
import { ChargesController } from './charges.controller';
import { Invoice } from './invoice.entity';
import { InvoicesController } from './invoices.controller';
import { InvoicesService } from './invoices.service';

/** Charges derived from events, invoices and credit notes. Other modules call BillingService to record charges. */
@Module({
  imports: [TypeOrmModule.forFeature([Charge, Invoice]), AuditModule, OutboxModule, CentersModule, OrganizationsModule],
  controllers: [ChargesController, InvoicesController],
  providers: [BillingService, InvoicesService],
  exports: [BillingService],
})
export class BillingModule {}
