/**
 * The registered consumers of the cluster view (enhanced fan-out): by
 * stream id and name, and by consumer ARN. Filled only from the watch
 * (MetadataStore.apply), like every other part of the view.
 */
import type { ConsumerRecord } from './schema';

/** A record with the etcd mod revision it was read at (the view's Versioned). */
interface VersionedConsumer {
  readonly value: ConsumerRecord;
  readonly modRevision: string;
}

export class ConsumerIndex {
  /** streamId -> consumerName -> consumer. */
  private readonly byStream = new Map<string, Map<string, VersionedConsumer>>();
  private readonly byArn = new Map<string, VersionedConsumer>();

  /** Consumers of a stream, oldest registration first (then by name). */
  of(streamId: string): VersionedConsumer[] {
    const m = this.byStream.get(streamId);
    if (!m) return [];
    return [...m.values()].sort((a, b) => a.value.createdMs - b.value.createdMs || (a.value.consumerName < b.value.consumerName ? -1 : 1));
  }

  get(streamId: string, consumerName: string): VersionedConsumer | undefined {
    return this.byStream.get(streamId)?.get(consumerName);
  }

  byConsumerArn(arn: string): VersionedConsumer | undefined {
    return this.byArn.get(arn);
  }

  /** Stream ids that have consumers (some may name streams already gone: the controller removes those). */
  streamIds(): IterableIterator<string> {
    return this.byStream.keys();
  }

  /** Replaces (or with undefined removes) one consumer, keeping the ARN index in step. */
  set(streamId: string, consumerName: string, value: VersionedConsumer | undefined): void {
    let m = this.byStream.get(streamId);
    const old = m?.get(consumerName);
    if (old) this.byArn.delete(old.value.consumerArn);
    if (value) {
      if (!m) this.byStream.set(streamId, (m = new Map()));
      m.set(consumerName, value);
      this.byArn.set(value.value.consumerArn, value);
    } else if (m) {
      m.delete(consumerName);
      if (m.size === 0) this.byStream.delete(streamId);
    }
  }
}
