import { ServiceOffering } from '../src/analysis-services/service-offering.entity';
import { ServiceQuote, ServiceQuoteLine } from '../src/analysis-services/service-quote.entity';
import { ServiceReport } from '../src/analysis-services/service-report.entity';
import { ServiceRequest, ServiceRequestItem, ServiceRequestSample, ServiceRequestStatusChange } from '../src/analysis-services/service-request.entity';
import { DatasetFile } from '../src/datasets/dataset-file.entity';
import { Dataset } from '../src/datasets/dataset.entity';
import { HandoverTarget } from '../src/handovers/handover-target.entity';
import { Handover } from '../src/handovers/handover.entity';
import { Label } from '../src/labels/label.entity';
import { Location } from '../src/locations/location.entity';
import { SampleEvent } from '../src/samples/sample-event.entity';
import { Sample } from '../src/samples/sample.entity';
import { DataSource } from 'typeorm';
import { ApiKey } from '../src/api-keys/api-key.entity';
import { AuditEntry } from '../src/audit/audit-entry.entity';
import { Charge } from '../src/billing/charge.entity';
import { Invoice } from '../src/billing/invoice.entity';
import { CalendarFeed } from '../src/calendars/calendar-feed.entity';
import { Center } from '../src/centers/center.entity';
import { EquipmentProblem } from '../src/equipment/equipment-problem.entity';
import { EquipmentStatusChange } from '../src/equipment/equipment-status-change.entity';
import { Equipment } from '../src/equipment/equipment.entity';
import { loadMigrationClasses, runMigrations } from '../src/infra/database/migration-runner';
import { Organization } from '../src/organizations/organization.entity';
import { OutboxMessage } from '../src/outbox/outbox-message.entity';
import { Project } from '../src/projects/project.entity';
import { Qualification } from '../src/qualifications/qualification.entity';
import { ReservationUsage } from '../src/reservations/reservation-usage.entity';
import { ReservationSeries } from '../src/reservations/reservation-series.entity';
import { Reservation } from '../src/reservations/reservation.entity';
import { Run } from '../src/reservations/run.entity';
import { WaitlistEntry } from '../src/waitlist/waitlist-entry.entity';
import { User } from '../src/users/user.entity';
import { createEmptyDatabase } from './support/test-database';

describe('migrations', () => {
  it('migrates once when several replicas start together', async () => {
    const database = await createEmptyDatabase();
    try {
      const results = await Promise.all([runMigrations(database.url), runMigrations(database.url), runMigrations(database.url)]);
      const applied = results.flat();
      expect(applied).toEqual(loadMigrationClasses().map((migration) => new migration().name));
      expect(results.filter((names) => names.length === 0)).toHaveLength(2);
      expect(await runMigrations(database.url)).toEqual([]);
    } finally {
      await database.drop();
    }
  });

  it('leaves nothing for the entities to change: entities and migrations agree', async () => {
    const database = await createEmptyDatabase();
    await runMigrations(database.url);
    const dataSource = new DataSource({
      type: 'postgres',
      url: database.url,
      entities: [Center, Organization, User, Project, ApiKey, Equipment, EquipmentStatusChange, EquipmentProblem, AuditEntry, OutboxMessage, Qualification, Reservation, ReservationUsage, Run, ReservationSeries, WaitlistEntry, CalendarFeed, Location, Label, Sample, SampleEvent, Dataset, DatasetFile, Handover, HandoverTarget, Charge, Invoice, ServiceOffering, ServiceRequest, ServiceRequestItem, ServiceRequestSample, ServiceRequestStatusChange, ServiceQuote, ServiceQuoteLine, ServiceReport],
    });
    await dataSource.initialize();
    try {
      const pending = await dataSource.driver.createSchemaBuilder().log();
      // Constraints, indexes and defaults are declared in the migrations only (TypeORM would drop
      // them); tables, columns, types and nullability must match exactly.
      const structural = pending.upQueries
        .map((q) => q.query)
        .filter((sql) => /CREATE TABLE|DROP TABLE|ADD COLUMN|DROP COLUMN|ADD "|DROP "|\bTYPE\b|NOT NULL|PRIMARY KEY/.test(sql));
      expect(structural).toEqual([]);
      expect(pending.upQueries.length).toBeGreaterThan(0);
    } finally {
      await dataSource.destroy();
      await database.drop();
    }
  });
});
