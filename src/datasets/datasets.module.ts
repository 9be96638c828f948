import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { CentersModule } from '../centers/centers.module';
import { EquipmentModule } from '../equipment/equipment.module';
import { ReservationsModule } from '../reservations/reservations.module';
import { SamplesModule } from '../samples/samples.module';
import { DatasetFile } from './dataset-file.entity';
import { Dataset } from './dataset.entity';
import { DatasetsController } from './datasets.controller';
import { DatasetsService } from './datasets.service';
import { DatasetPackageService } from './package/dataset-package.service';
import { DatasetStorage } from './storage/dataset-storage';
import { LocalDiskStorage } from './storage/local-disk.storage';

@Module({
  imports: [TypeOrmModule.forFeature([Dataset, DatasetFile]), AuditModule, CentersModule, EquipmentModule, ReservationsModule, SamplesModule],
  controllers: [DatasetsController],
  // The storage driver: local disk under DATA_DIR; another driver replaces this one line.
  providers: [DatasetsService, DatasetPackageService, { provide: DatasetStorage, useClass: LocalDiskStorage }],
  exports: [DatasetsService, DatasetPackageService],
})
export class DatasetsModule {}
