import { Module } from '@nestjs/common';
import { AnalysisServicesModule } from '../analysis-services/analysis-services.module';
import { CentersModule } from '../centers/centers.module';
import { EquipmentModule } from '../equipment/equipment.module';
import { HandoversModule } from '../handovers/handovers.module';
import { LocationsModule } from '../locations/locations.module';
import { SamplesModule } from '../samples/samples.module';
import { OrganizationsModule } from '../organizations/organizations.module';
import { ProjectsModule } from '../projects/projects.module';
import { UsersModule } from '../users/users.module';
import { SeedService } from './seed.service';

@Module({
  imports: [CentersModule, OrganizationsModule, UsersModule, ProjectsModule, EquipmentModule, LocationsModule, SamplesModule, HandoversModule, AnalysisServicesModule],
  providers: [SeedService],
  exports: [SeedService],
})
export class SeedModule {}
