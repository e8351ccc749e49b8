/**
 * The IANA areas a list of time zones is grouped by (the part before the first "/"). Zones outside
 * them ("UTC", "Etc/GMT+2"...) belong to no region: lists put them in a last, unnamed group.
 */
export const zoneRegions: ReadonlySet<string> = new Set([
  "Africa",
  "America",
  "Antarctica",
  "Arctic",
  "Asia",
  "Atlantic",
  "Australia",
  "Europe",
  "Indian",
  "Pacific",
]);

/** "Europe/Paris" → "Europe"; "" for a zone outside the regions. */
export function zoneRegion(zone: string): string {
  const head = zone.includes("/") ? zone.slice(0, zone.indexOf("/")) : "";
  return zoneRegions.has(head) ? head : "";
}
