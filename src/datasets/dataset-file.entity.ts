import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { TenantOwned } from '../common/tenancy/tenant-scope';

/** One file of a dataset version: immutable (the database refuses changes). Visibility follows the dataset. */
@Entity({ name: 'dataset_files' })
@TenantOwned(null)
export class DatasetFile {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'dataset_id', type: 'uuid' })
  datasetId: string;

  @Column({ type: 'varchar', length: 255 })
  name: string;

  /** Bytes; bigint comes back from pg as a string, files fit a JS number. */
  @Column({ type: 'bigint', transformer: { to: (value: number) => value, from: (value: string) => Number(value) } })
  size: number;

  @Column({ type: 'char', length: 64 })
  sha256: string;

  @Column({ name: 'media_type', type: 'varchar', length: 200 })
  mediaType: string;

  @Column({ name: 'storage_key', type: 'varchar', length: 500, select: false })
  storageKey: string;

  @Column({ name: 'created_at', type: 'timestamptz', insert: false, update: false })
  createdAt: Date;
}
