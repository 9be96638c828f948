import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Actor } from '../common/auth/actor';
import { CurrentActor } from '../common/auth/decorators';
import { ApiProblems } from '../common/errors/problem.dto';
import { ScanDto } from './dto/scan.dto';
import { ScanResult, ScanService } from './scan.service';

@ApiTags('scanning')
@ApiBearerAuth()
@ApiProblems()
@Controller('scan')
export class ScanController {
  constructor(private readonly scans: ScanService) {}

  /**
   * One scan from a handheld scanner or app. Scanning a location label (`locationLabel`) with
   * a sample label and `store` moves the sample there; a full position is a 409. A typo in a
   * label (wrong check character) is a 400, an unknown label a 404, a void one a 410.
   */
  @Post()
  @HttpCode(200)
  scan(@CurrentActor() actor: Actor, @Body() dto: ScanDto): Promise<ScanResult> {
    return this.scans.scan(actor, dto);
  }
}
