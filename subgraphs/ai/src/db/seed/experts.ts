import type { ExpertRow } from '../database.ts';

const id = (n: number) => `e0000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

/**
 * Demo experts. Each answers as the user in `user_id`: sign in with
 * `npm run -s token -- --role EXPERT --user expert-demo-camille` to reply as Camille.
 */
export const seedExperts: ExpertRow[] = [
  { id: id(1), user_id: 'expert-demo-camille', name: 'Camille Laurent', bio: 'Paris-born guide and former museum educator; twenty years of Left Bank walks and market mornings.', languages: ['fr', 'en'], specialties: ['art', 'food', 'history'], destinations: ['PAR', 'BRU', 'LON'], rating: 4.9 },
  { id: id(2), user_id: 'expert-demo-marco', name: 'Marco Bellini', bio: 'Roman archaeologist who plans Italy by train, from the Forum to Venetian back canals.', languages: ['it', 'en', 'es'], specialties: ['history', 'food', 'architecture'], destinations: ['ROM', 'FLR', 'VCE', 'MIL'], rating: 4.8 },
  { id: id(3), user_id: 'expert-demo-yuki', name: 'Yuki Tanaka', bio: 'Tokyo food writer; temples at dawn, izakaya at night, and the best day trips from Osaka.', languages: ['ja', 'en'], specialties: ['food', 'culture', 'nightlife'], destinations: ['TYO', 'OSA', 'SEL'], rating: 4.9 },
  { id: id(4), user_id: 'expert-demo-sofia', name: 'Sofía Herrera', bio: 'Barcelona architect who plans Iberian trips around Gaudí, tapas and the coast.', languages: ['es', 'ca', 'en', 'pt'], specialties: ['architecture', 'food', 'beach'], destinations: ['BCN', 'MAD', 'LIS'], rating: 4.7 },
  { id: id(5), user_id: 'expert-demo-james', name: 'James Carter', bio: 'New Yorker and family-travel planner for the big American cities.', languages: ['en'], specialties: ['family', 'art', 'shopping'], destinations: ['NYC', 'WAS', 'BOS', 'CHI', 'MIA'], rating: 4.6 },
  { id: id(6), user_id: 'expert-demo-lena', name: 'Lena Fischer', bio: 'Berlin historian who guides Central Europe: palaces, coffee houses and Cold War stories.', languages: ['de', 'en', 'cs'], specialties: ['history', 'nightlife', 'music'], destinations: ['BER', 'MUC', 'VIE', 'PRG', 'BUD', 'KRK'], rating: 4.8 },
  { id: id(7), user_id: 'expert-demo-priya', name: 'Priya Nair', bio: 'Delhi-based planner for South and Southeast Asia: markets, street food and temples.', languages: ['en', 'hi', 'ta'], specialties: ['food', 'culture', 'adventure'], destinations: ['DEL', 'BKK', 'SIN', 'HKG', 'DXB'], rating: 4.7 },
  { id: id(8), user_id: 'expert-demo-oliver', name: 'Oliver Hughes', bio: 'Sydney outdoors guide: coastal walks, harbour days and road trips down to Melbourne.', languages: ['en'], specialties: ['nature', 'beach', 'adventure'], destinations: ['SYD', 'MEL'], rating: 4.6 },
  { id: id(9), user_id: 'expert-demo-ana', name: 'Ana Souza', bio: 'Carioca who plans Latin America around music, food and mountains.', languages: ['pt', 'es', 'en'], specialties: ['music', 'nature', 'food'], destinations: ['RIO', 'BUE', 'LIM', 'MEX'], rating: 4.8 },
  { id: id(10), user_id: 'expert-demo-ingrid', name: 'Ingrid Larsen', bio: 'Copenhagen designer who plans Nordic city breaks, saunas included.', languages: ['da', 'sv', 'no', 'en'], specialties: ['architecture', 'nature', 'food'], destinations: ['CPH', 'STO', 'OSL', 'HEL'], rating: 4.7 },
  { id: id(11), user_id: 'expert-demo-siobhan', name: 'Siobhán Byrne', bio: 'Dublin storyteller for Ireland and Scotland: castles, pubs and traditional music.', languages: ['en', 'ga'], specialties: ['history', 'music', 'nightlife'], destinations: ['DUB', 'EDI', 'LON'], rating: 4.5 },
  { id: id(12), user_id: 'expert-demo-karim', name: 'Karim Haddad', bio: 'Egyptologist who plans North Africa and the eastern Mediterranean.', languages: ['ar', 'fr', 'en'], specialties: ['history', 'culture', 'shopping'], destinations: ['CAI', 'RAK', 'IST', 'ATH'], rating: 4.8 },
  { id: id(13), user_id: 'expert-demo-grace', name: 'Grace Kim', bio: 'West Coast planner: national parks, food halls and city art.', languages: ['en', 'ko'], specialties: ['nature', 'food', 'art'], destinations: ['LAX', 'SFO', 'YVR', 'YTO', 'CPT', 'AMS'], rating: 4.6 },
];
