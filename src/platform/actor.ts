/**
 * Who is doing something. Every operation runs for one actor; routes build it
 * from the request's sessions, jobs and the CLI use `systemActor`.
 */
export const staffRoles = ["owner", "assistant"] as const;
export type StaffRole = (typeof staffRoles)[number];

export type Actor =
  | { kind: "anonymous" }
  | { kind: "member"; memberId: string }
  | { kind: "staff"; staffId: string; role: StaffRole }
  /** The process itself: a job, a webhook, the CLI run by the operator. */
  | { kind: "system"; reason: string };

export const anonymousActor: Actor = { kind: "anonymous" };
export const systemActor = (reason: string): Actor => ({ kind: "system", reason });
export const memberActor = (memberId: string): Actor => ({ kind: "member", memberId });
export const staffActor = (staffId: string, role: StaffRole): Actor => ({ kind: "staff", staffId, role });

/** How the event log names an actor (the `actor` column). */
export type ActorKind = "member" | "staff" | "system";

export function actorKind(actor: Actor): ActorKind {
  // A visitor acting for themselves (joining, claiming a gift) is recorded as the member.
  if (actor.kind === "anonymous") return "member";
  return actor.kind;
}
