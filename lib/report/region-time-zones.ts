/**
 * A time zone to suggest for a region's schedule: where its users most likely work. Only a
 * suggestion in a recommendation; the spec always names its own time zone.
 */
const ZONES: Readonly<Record<string, string>> = {
  'us-east-1': 'America/New_York', 'us-east-2': 'America/New_York', 'us-west-1': 'America/Los_Angeles', 'us-west-2': 'America/Los_Angeles',
  'ca-central-1': 'America/Toronto', 'ca-west-1': 'America/Edmonton', 'mx-central-1': 'America/Mexico_City', 'sa-east-1': 'America/Sao_Paulo',
  'eu-west-1': 'Europe/Dublin', 'eu-west-2': 'Europe/London', 'eu-west-3': 'Europe/Paris', 'eu-central-1': 'Europe/Berlin',
  'eu-central-2': 'Europe/Zurich', 'eu-north-1': 'Europe/Stockholm', 'eu-south-1': 'Europe/Rome', 'eu-south-2': 'Europe/Madrid',
  'me-south-1': 'Asia/Bahrain', 'me-central-1': 'Asia/Dubai', 'il-central-1': 'Asia/Jerusalem', 'af-south-1': 'Africa/Johannesburg',
  'ap-northeast-1': 'Asia/Tokyo', 'ap-northeast-2': 'Asia/Seoul', 'ap-northeast-3': 'Asia/Tokyo', 'ap-east-1': 'Asia/Hong_Kong',
  'ap-south-1': 'Asia/Kolkata', 'ap-south-2': 'Asia/Kolkata', 'ap-southeast-1': 'Asia/Singapore', 'ap-southeast-2': 'Australia/Sydney',
  'ap-southeast-3': 'Asia/Jakarta', 'ap-southeast-4': 'Australia/Melbourne', 'ap-southeast-5': 'Asia/Kuala_Lumpur', 'ap-southeast-7': 'Asia/Bangkok',
};

export function regionTimeZone(region: string): string {
  return Object.hasOwn(ZONES, region) ? ZONES[region] : 'Etc/UTC';
}
