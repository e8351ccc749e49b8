/** The event catalogue, the log and its outbox (see ARCHITECTURE.md, "Events"). */
export {
  defineEvent,
  describeEvent,
  eventCatalogue,
  findEventType,
  timelineFormat,
  type EventType,
  type PayloadOf,
  type TimelineFormat,
} from "./catalogue.ts";
export { record, memberEvents, type EventRow, type RecordOptions } from "./log.ts";
export {
  advanceConsumer,
  defineConsumer,
  dispatchOutbox,
  registerOutboxJob,
  registeredConsumers,
  triggerOutbox,
  type Consumer,
  type ConsumerContext,
} from "./outbox.ts";
