import { z } from 'zod';
import { defineTrigger } from '../define.js';
import { oneOrMany, pattern } from '../schema-parts.js';
import { compileFilters, sdkFilter } from './filters.js';

/**
 * `offer`: a file offered to the bot. An offer goes to the rules in order until one accepts
 * or rejects it; one that no rule's filter lets through is rejected by the SDK at once, and
 * one that passed but that no action answered is rejected after the rules ran.
 */
export const offerTrigger = defineTrigger({
  name: 'offer',
  schema: z
    .strictObject({
      from: oneOrMany('Only offers from this user (or these users).').optional(),
      match: pattern.optional().meta({ description: 'Regular expression on the file name.' }),
    })
    .nullable()
    .meta({ description: 'A file offered to the bot; answer it with `accept` or `reject`.' }),
  fields: ['from', 'fileName', 'size', 'id'],
  compile: (spec, ctx) => compileFilters('offer', spec, ctx),
  subscribe: (plan, fire, host) =>
    host.client.onOffer(sdkFilter(plan, ['from', 'match']), (offer) =>
      fire({
        fields: { from: offer.from, fileName: offer.fileName, size: offer.size, id: offer.id },
        match: offer.match,
        from: offer.from,
        offer,
      }),
    ),
});
