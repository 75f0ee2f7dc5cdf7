import { describe, expect, it } from 'vitest';
import { parsePlacesCsv, PlaceImportError } from './places-csv.ts';

const header =
  'destination_code,name,category,latitude,longitude,duration_minutes,hours,closed_days,cost_level,tags,description';

describe('parsePlacesCsv', () => {
  it('parses hours, closed days, interests and ranks within a city', () => {
    const places = parsePlacesCsv(
      `${header}\nAAA,First,MUSEUM,1,2,90,09:30-17:00,Mon;Sun,2,Music,"Quoted, with a comma"\nAAA,Second,FOOD,1,2,60,00:00-24:00,,1,,\n`,
    );
    expect(places[0]).toMatchObject({
      destination_code: 'AAA',
      opens_minute: 570,
      closes_minute: 1020,
      closed_days: [1, 0],
      interests: ['culture', 'history', 'art', 'music'],
      description: 'Quoted, with a comma',
      rank: 1,
    });
    expect(places[1]).toMatchObject({
      opens_minute: 0,
      closes_minute: 1440,
      closed_days: [],
      interests: ['food'],
      description: null,
      rank: 2,
    });
  });

  it('reports an impossible clock time as a problem of its line, not a crash', () => {
    const attempt = () => parsePlacesCsv(`${header}\nAAA,Late,PARK,1,2,60,09:00-25:00,Xyz,0,,\n`);
    expect(attempt).toThrow(PlaceImportError);
    try {
      attempt();
    } catch (error) {
      expect((error as PlaceImportError).problems).toEqual([
        'line 2: hours: "25:00" is not a HH:MM time',
        expect.stringMatching(/^line 2: closed_days\.0: /),
      ]);
    }
  });

  it('reports a place repeated in the file with both lines', () => {
    expect(() =>
      parsePlacesCsv(
        `${header}\nAAA,Twice,PARK,1,2,60,09:00-18:00,,0,,\nAAA,Twice,MUSEUM,1,2,60,09:00-18:00,,1,,\n`,
      ),
    ).toThrow('line 3: name: AAA "Twice" is already on line 2');
  });

  it('reports every bad row with its line and returns nothing', () => {
    const attempt = () =>
      parsePlacesCsv(
        `${header}\nAAA,Fine,PARK,1,2,60,08:00-20:00,,0,,\nAAAA,Bad,CASTLE,91,2,60,20:00-08:00,Xyz,5,,\n`,
      );
    expect(attempt).toThrow(PlaceImportError);
    try {
      attempt();
    } catch (error) {
      const problems = (error as PlaceImportError).problems;
      expect(problems.every((problem) => problem.startsWith('line 3:'))).toBe(true);
      expect(problems.map((problem) => problem.split(':')[1]!.trim()).sort()).toEqual(
        ['category', 'closed_days.0', 'cost_level', 'destination_code', 'hours', 'latitude'].sort(),
      );
    }
  });
});
