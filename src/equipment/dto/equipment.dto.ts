import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { PageQueryDto } from '../../common/pagination/cursor';
import { CHARGE_FOR, ChargeFor, EQUIPMENT_KINDS, EQUIPMENT_STATUSES, EquipmentKind, EquipmentStatus } from '../equipment.entity';

const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;

export class RatesDto {
  @ApiProperty({ example: 3000, description: 'yen per hour' })
  @IsInt()
  @Min(0)
  @Max(10_000_000)
  academic: number;

  @ApiProperty({ example: 12000 })
  @IsInt()
  @Min(0)
  @Max(10_000_000)
  industry: number;

  @ApiProperty({ example: 6000 })
  @IsInt()
  @Min(0)
  @Max(10_000_000)
  venture: number;
}

export class BookableHoursDto {
  @ApiProperty({ example: [1, 2, 3, 4, 5], description: 'ISO weekdays, 1 = Monday' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(7)
  @IsInt({ each: true })
  @Min(1, { each: true })
  @Max(7, { each: true })
  days: number[];

  @ApiProperty({ example: '08:30' })
  @Matches(HH_MM, { message: 'must be a time HH:MM' })
  start: string;

  @ApiProperty({ example: '20:00' })
  @Matches(HH_MM, { message: 'must be a time HH:MM' })
  end: string;
}

export class BookingPolicyDto {
  @ApiProperty({ example: 30 })
  @IsInt()
  @Min(1)
  @Max(1440)
  slotMinutes: number;

  @ApiProperty({ example: 30 })
  @IsInt()
  @Min(1)
  @Max(43_200)
  minMinutes: number;

  @ApiProperty({ example: 480 })
  @IsInt()
  @Min(1)
  @Max(43_200)
  maxMinutes: number;

  @ApiProperty({ example: 60, description: 'earliest start, minutes from now' })
  @IsInt()
  @Min(0)
  @Max(525_600)
  leadMinutes: number;

  @ApiProperty({ example: 90, description: 'latest start, days from today' })
  @IsInt()
  @Min(1)
  @Max(730)
  horizonDays: number;

  @ApiProperty({ example: 15, description: 'set-up/clean-down minutes added to each booking' })
  @IsInt()
  @Min(0)
  @Max(1440)
  bufferMinutes: number;

  @ApiProperty({ example: false })
  @IsBoolean()
  requiresApproval: boolean;

  @ApiProperty({ example: 24, description: 'later cancellations are recorded as late' })
  @IsInt()
  @Min(0)
  @Max(8760)
  cancellationHours: number;

  @ApiPropertyOptional({ type: [BookableHoursDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(14)
  @ValidateNested({ each: true })
  @Type(() => BookableHoursDto)
  bookableHours?: BookableHoursDto[];

  @ApiPropertyOptional({ example: false, description: 'bookings must start within bookable hours but may run on through closed hours' })
  @IsOptional()
  @IsBoolean()
  allowCrossingClosedHours?: boolean;

  @ApiPropertyOptional({ example: 40 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(168)
  maxHoursPerOrganizationPerWeek?: number;

  @ApiPropertyOptional({ example: 10 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  maxFutureReservationsPerUser?: number;

  @ApiPropertyOptional({ example: 15 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1440)
  noShowGraceMinutes?: number;
}

export class CreateEquipmentDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  centerId: string;

  @ApiProperty({ example: 'ALD-01', description: 'unique within the center' })
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/, { message: 'must be 1–40 letters, digits, dots, dashes or underscores' })
  code: string;

  @ApiProperty({ example: '原子層堆積装置' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  nameJa: string;

  @ApiProperty({ example: 'Atomic layer deposition system' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  nameEn: string;

  @ApiProperty({ enum: EQUIPMENT_KINDS, example: 'process' })
  @IsIn(EQUIPMENT_KINDS)
  kind: EquipmentKind;

  @ApiProperty({ example: 'deposition' })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  category: string;

  @ApiPropertyOptional({ example: 'Cleanroom B, bay 3' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  location?: string;

  @ApiProperty({ example: true })
  @IsBoolean()
  requiresQualification: boolean;

  @ApiPropertyOptional({ example: false })
  @IsOptional()
  @IsBoolean()
  remoteCapable?: boolean;

  @ApiPropertyOptional({ example: 'NIMS-XRD-0042', description: "the tool's instrument id at the NIMS RDE platform" })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  rdeInstrumentId?: string;

  @ApiPropertyOptional({ example: false, description: 'dataset packages of this tool also carry a MaiML document' })
  @IsOptional()
  @IsBoolean()
  maimlOutput?: boolean;

  @ApiProperty({ type: RatesDto })
  @ValidateNested()
  @Type(() => RatesDto)
  rates: RatesDto;

  @ApiProperty({ type: BookingPolicyDto })
  @ValidateNested()
  @Type(() => BookingPolicyDto)
  policy: BookingPolicyDto;

  @ApiPropertyOptional({ enum: CHARGE_FOR, default: 'greater', description: 'a completed booking is charged for the used time, the booked time, or the greater of the two' })
  @ValidateIf((dto: CreateEquipmentDto) => dto.chargeFor !== undefined)
  @IsIn(CHARGE_FOR)
  chargeFor?: ChargeFor;

  @ApiPropertyOptional({ example: 100, default: 100, description: 'percent of the booked time charged for a no-show' })
  @ValidateIf((dto: CreateEquipmentDto) => dto.noShowChargePercent !== undefined)
  @IsInt()
  @Min(0)
  @Max(100)
  noShowChargePercent?: number;

  @ApiPropertyOptional({ example: 50, default: 50, description: 'percent of the booked time charged for a cancellation inside the cancellation window' })
  @ValidateIf((dto: CreateEquipmentDto) => dto.lateCancellationChargePercent !== undefined)
  @IsInt()
  @Min(0)
  @Max(100)
  lateCancellationChargePercent?: number;

  @ApiPropertyOptional({ type: RatesDto, nullable: true, description: "yen per hour of a staff operator's time in assisted bookings, per rate category; null: not charged extra" })
  @IsOptional()
  @ValidateNested()
  @Type(() => RatesDto)
  staffRates?: RatesDto | null;
}

export class UpdateEquipmentDto extends PartialType(OmitType(CreateEquipmentDto, ['centerId'] as const)) {
  @ApiPropertyOptional({ enum: EQUIPMENT_STATUSES })
  @IsOptional()
  @IsIn(EQUIPMENT_STATUSES)
  status?: EquipmentStatus;

  @ApiPropertyOptional({ example: 'Turbo pump replaced; leak check passed', description: 'required when status changes' })
  @ValidateIf((dto: UpdateEquipmentDto) => dto.status !== undefined || dto.statusReason !== undefined)
  @IsString()
  @MinLength(3)
  @MaxLength(1000)
  statusReason?: string;
}

export class EquipmentQueryDto extends PageQueryDto {
  /** Matches code or either name, case-insensitively. */
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  centerId?: string;

  @ApiPropertyOptional({ enum: EQUIPMENT_KINDS })
  @IsOptional()
  @IsIn(EQUIPMENT_KINDS)
  kind?: EquipmentKind;

  @ApiPropertyOptional({ example: 'deposition' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  category?: string;

  @ApiPropertyOptional({ enum: EQUIPMENT_STATUSES })
  @IsOptional()
  @IsIn(EQUIPMENT_STATUSES)
  status?: EquipmentStatus;
}
