import { describe, expect, it } from 'vitest';
import { fieldPathsOfFetch } from './fetch-error-paths.ts';

describe('fieldPathsOfFetch', () => {
  it('names each root field by its response name, minus what @skip/@include leave out', () => {
    expect(
      fieldPathsOfFetch({
        query:
          'query ($brief: Boolean!) { __typename flights: searchFlights(input: $input) { offers { id } } searchHotels(input: $h) @skip(if: $brief) { offers { id } } ...Demand }' +
          ' fragment Demand on Query { searchDemand { code } }',
        variables: { brief: true },
      }),
    ).toEqual([['flights'], ['searchDemand']]);
  });

  it('names the fields of every entity of an _entities fetch, by its type', () => {
    const query = `query ($representations: [_Any!]!) {
      _entities(representations: $representations) {
        ... on Trip { __typename flightOffers(origin: "NYC") { offers { id } } hotels: hotelOffers { offers { id } } }
        ... on User { searchCount }
      }
    }`;
    expect(
      fieldPathsOfFetch({
        query,
        variables: {
          representations: [
            { __typename: 'Trip', id: 't1' },
            { __typename: 'User', id: 'u1' },
            { __typename: 'Trip', id: 't2' },
          ],
        },
      }),
    ).toEqual([
      ['_entities', 0, 'flightOffers'],
      ['_entities', 0, 'hotels'],
      ['_entities', 1, 'searchCount'],
      ['_entities', 2, 'flightOffers'],
      ['_entities', 2, 'hotels'],
    ]);
  });

  it('names nothing it cannot read, so the caller falls back to one error without a path', () => {
    expect(fieldPathsOfFetch({ query: 'not graphql {' })).toEqual([]);
    expect(fieldPathsOfFetch({})).toEqual([]);
  });
});
