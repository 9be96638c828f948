import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { Center } from './center.entity';
import { CentersController } from './centers.controller';
import { CentersService } from './centers.service';

@Module({
  imports: [TypeOrmModule.forFeature([Center]), AuditModule],
  controllers: [CentersController],
  providers: [CentersService],
  exports: [CentersService],
})
export class CentersModule {}
