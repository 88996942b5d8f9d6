import { ConversationEvent, type Bus, type Topics, type TypingEventPayload } from '@storm/bus';
import { conflict } from '@storm/common';
import { parseId } from '../../errors.js';
import type { ConversationsService } from '../conversations/conversations.service.js';
import { ARCHIVED } from '../messages/messages.service.js';

/** How long a typing indicator lasts without a refresh. */
export const TYPING_TTL_MS = 6_000;
/** Typing events per member and conversation are coalesced to one per this many ms. */
const COALESCE_MS = 1_000;
const MAX_TRACKED = 100_000;

/**
 * Typing indicators: ephemeral events straight on the bus (no outbox, no
 * table). Losing one costs a flicker, never data, so a failed publish is
 * dropped rather than retried.
 */
export class TypingService {
  private readonly lastSent = new Map<string, number>();

  constructor(
    private readonly conversations: ConversationsService,
    private readonly bus: Bus,
    private readonly topics: Topics,
    private readonly log: (message: string, err: unknown) => void = (m, e) => console.warn(`[conversations] ${m}`, e),
  ) {}

  async set(userId: string, conversationIdInput: string, typing: boolean): Promise<boolean> {
    const conversationId = parseId(conversationIdInput, 'conversationId');
    const conversation = await this.conversations.getForMember(conversationId, userId);
    // Nobody can send in an archived conversation, so nobody is typing there:
    // refused as sendMessage refuses it (CONFLICT), stopping included.
    if (conversation.archivedAt) throw conflict(ARCHIVED);
    const key = `${conversationId}:${userId}`;
    const now = Date.now();
    if (typing && now - (this.lastSent.get(key) ?? 0) < COALESCE_MS) return true;
    if (typing) {
      if (this.lastSent.size >= MAX_TRACKED) this.lastSent.clear();
      this.lastSent.set(key, now);
    } else {
      this.lastSent.delete(key);
    }
    const payload: TypingEventPayload = { conversationId, userId, typing, expiresAt: new Date(now + TYPING_TTL_MS).toISOString() };
    await this.bus.publish(this.topics.conversation(conversationId, ConversationEvent.Typing), payload).catch((err: unknown) => this.log('typing event dropped', err));
    return true;
  }
}
