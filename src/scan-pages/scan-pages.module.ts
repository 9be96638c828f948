import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { LabelsModule } from '../labels/labels.module';
import { LocationsModule } from '../locations/locations.module';
import { SamplesModule } from '../samples/samples.module';
import { UsersModule } from '../users/users.module';
import { ScanPagesController } from './scan-pages.controller';
import { ScanPagesService } from './scan-pages.service';

/** The HTML pages behind QR labels (`/S/<LABEL-ID>`), with their cookie sign-in. */
@Module({
  imports: [AuthModule, LabelsModule, LocationsModule, SamplesModule, UsersModule],
  controllers: [ScanPagesController],
  providers: [ScanPagesService],
})
export class ScanPagesModule {}
