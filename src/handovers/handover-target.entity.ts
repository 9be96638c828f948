import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { TenantOwned } from '../common/tenancy/tenant-scope';

/** Where packages go: a platform's HTTP endpoint, or a drop folder synced to it. */
@Entity({ name: 'handover_targets' })
@TenantOwned(null)
export class HandoverTarget {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  @Column({ type: 'varchar', length: 8 })
  kind: 'http' | 'folder';

  @Column({ type: 'varchar', length: 500, nullable: true })
  url: string | null;

  /** HMAC key for requests and callbacks; never shown. */
  @Column({ type: 'varchar', length: 200, nullable: true, select: false })
  secret: string | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  folder: string | null;

  /** Outside Japan: only data classified not-applicable for export control. */
  @Column({ type: 'boolean', default: false })
  abroad: boolean;

  /** A public repository: never receives closed files. */
  @Column({ name: 'open_repository', type: 'boolean', default: false })
  openRepository: boolean;

  @Column({ name: 'is_default', type: 'boolean', default: false })
  isDefault: boolean;

  @Column({ name: 'created_at', type: 'timestamptz', insert: false, update: false })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', insert: false, update: false })
  updatedAt: Date;
}
