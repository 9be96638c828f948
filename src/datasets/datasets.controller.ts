import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiCreatedResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Actor } from '../common/auth/actor';
import { CurrentActor } from '../common/auth/decorators';
import { ApiProblems } from '../common/errors/problem.dto';
import { ApiPage } from '../common/pagination/api-page.decorator';
import { Page } from '../common/pagination/cursor';
import { UuidPipe } from '../common/validation/validation';
import { Dataset } from './dataset.entity';
import { DatasetQueryDto, EmbargoExtensionDto, ExportControlDto } from './dto/dataset.dto';
import { DatasetsService, DatasetView } from './datasets.service';
import { DatasetPackageService } from './package/dataset-package.service';

@ApiTags('datasets')
@ApiBearerAuth()
@ApiProblems()
@Controller('datasets')
export class DatasetsController {
  constructor(
    private readonly datasets: DatasetsService,
    private readonly packages: DatasetPackageService,
  ) {}

  /** Datasets the caller may see (members: their organization's), newest first. */
  @Get()
  @ApiPage(Dataset)
  list(@CurrentActor() actor: Actor, @Query() query: DatasetQueryDto): Promise<Page<DatasetView>> {
    return this.datasets.list(actor, query);
  }

  /**
   * Uploads a dataset: `files` (one or more, streamed to storage with size and SHA-256 measured
   * on the way; a file over DATASET_MAX_FILE_BYTES is a 413 and nothing is kept) and `metadata`
   * (JSON, see DatasetMetadataDto).
   */
  @Post()
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['files', 'metadata'],
      properties: {
        files: { type: 'array', items: { type: 'string', format: 'binary' } },
        metadata: { type: 'string', description: 'JSON: DatasetMetadataDto' },
      },
    },
  })
  @ApiCreatedResponse({ type: Dataset })
  create(@CurrentActor() actor: Actor, @Req() request: FastifyRequest): Promise<DatasetView> {
    return this.datasets.create(actor, request);
  }

  /**
   * A correction: a new version of the latest version, with the files kept (`keepFileIds`) and
   * the files uploaded, and the `reason` (multipart: `files` and `metadata`).
   */
  @Post(':id/versions')
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['metadata'],
      properties: {
        files: { type: 'array', items: { type: 'string', format: 'binary' } },
        metadata: { type: 'string', description: 'JSON: DatasetVersionMetadataDto' },
      },
    },
  })
  @ApiCreatedResponse({ type: Dataset })
  createVersion(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string, @Req() request: FastifyRequest): Promise<DatasetView> {
    return this.datasets.createVersion(actor, id, request);
  }

  @Get(':id')
  get(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string): Promise<DatasetView> {
    return this.datasets.get(actor, id);
  }

  /** One file's bytes, with its SHA-256 as the ETag. */
  @Get(':id/files/:fileId')
  @ApiProduces('application/octet-stream')
  async file(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string, @Param('fileId', UuidPipe) fileId: string): Promise<StreamableFile> {
    const { file, stream } = await this.datasets.download(actor, id, fileId);
    return new StreamableFile(stream, {
      type: file.mediaType,
      length: file.size,
      disposition: `attachment; filename*=UTF-8''${encodeURIComponent(file.name)}`,
    });
  }

  /**
   * The handover package of this version as a zip (RO-Crate 1.2 laid out for NIMS RDE, with
   * manifest-sha256.txt), streamed. The same version always gives the same bytes.
   */
  @Get(':id/package')
  @ApiProduces('application/zip')
  async package(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string): Promise<StreamableFile> {
    const { filename, stream } = await this.packages.stream(actor, id);
    return new StreamableFile(stream, { type: 'application/zip', disposition: `attachment; filename="${filename}"` });
  }

  /** Extends the embargo by one year, once, with a reason. */
  @Post(':id/embargo-extension')
  @HttpCode(200)
  extendEmbargo(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string, @Body() dto: EmbargoExtensionDto): Promise<DatasetView> {
    return this.datasets.extendEmbargo(actor, id, dto);
  }

  /** Staff record the export-control classification with a reason (kept with who and when). */
  @Post(':id/export-control')
  @HttpCode(200)
  classify(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string, @Body() dto: ExportControlDto): Promise<DatasetView> {
    return this.datasets.classify(actor, id, dto);
  }
}
