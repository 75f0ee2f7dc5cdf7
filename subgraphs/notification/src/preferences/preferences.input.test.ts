import { describe, expect, it } from 'vitest';
import { createEgressPolicy, parseInput, UserInputError } from '@traveloure/platform';
import { emergencyAlertInput } from '../alerts/alerts.input.ts';
import { notificationStatsArguments } from '../delivery/delivery.input.ts';
import { preferencesUpdateInput } from './preferences.input.ts';

/** The user errors parseInput refuses `input` with. */
function userErrorsOf(run: () => unknown) {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(UserInputError);
    return (error as UserInputError).userErrors;
  }
  throw new Error('expected the input to be refused');
}

const preferences = preferencesUpdateInput({ production: false, egress: createEgressPolicy({}) });

describe('preferencesUpdateInput', () => {
  it('names each bad quiet-hours field with its code and message', () => {
    expect(
      userErrorsOf(() =>
        parseInput(preferences, { quietHours: { start: '25:00', end: '7', timeZone: 'Mars/Olympus' } }),
      ),
    ).toEqual([
      {
        field: ['input', 'quietHours', 'start'],
        message: 'Start must be HH:MM (24-hour).',
        code: 'INVALID_TIME',
      },
      {
        field: ['input', 'quietHours', 'end'],
        message: 'End must be HH:MM (24-hour).',
        code: 'INVALID_TIME',
      },
      {
        field: ['input', 'quietHours', 'timeZone'],
        message: 'Unknown time zone Mars/Olympus.',
        code: 'INVALID_TIME_ZONE',
      },
    ]);
  });

  it('trims the webhook, defaults the zone to UTC and keeps null as "clear"', () => {
    expect(
      parseInput(preferences, {
        webhookUrl: '  https://example.com/hook ',
        quietHours: { start: '22:00', end: '07:00' },
      }),
    ).toEqual({
      webhookUrl: 'https://example.com/hook',
      quietHours: { start: '22:00', end: '07:00', timeZone: 'UTC' },
    });
    expect(parseInput(preferences, { webhookUrl: null, quietHours: null })).toEqual({
      webhookUrl: null,
      quietHours: null,
    });
    expect(userErrorsOf(() => parseInput(preferences, { webhookUrl: 'ftp://example.com' }))).toEqual([
      { field: ['input', 'webhookUrl'], message: 'Webhook URL must use https.', code: 'INVALID_WEBHOOK_URL' },
    ]);
  });
});

describe('emergencyAlertInput', () => {
  it('refuses a bad code and empty or long texts, every one at once', () => {
    expect(
      userErrorsOf(() =>
        parseInput(emergencyAlertInput, {
          destinationCode: 'PA',
          severity: 'INFO',
          title: '  ',
          body: 'x'.repeat(5_001),
        }),
      ),
    ).toEqual([
      {
        field: ['input', 'destinationCode'],
        message: 'Destination code must be 3 letters (IATA city code).',
        code: 'INVALID',
      },
      { field: ['input', 'title'], message: 'Title must be 1 to 200 characters.', code: 'INVALID_LENGTH' },
      { field: ['input', 'body'], message: 'Body must be 1 to 5000 characters.', code: 'INVALID_LENGTH' },
    ]);
  });

  it('trims the texts and upper-cases the destination', () => {
    expect(
      parseInput(emergencyAlertInput, {
        destinationCode: ' par ',
        severity: 'CRITICAL',
        title: ' Strike ',
        body: ' Metro closed ',
      }),
    ).toEqual({ destinationCode: 'PAR', severity: 'CRITICAL', title: 'Strike', body: 'Metro closed' });
  });
});

describe('notificationStatsArguments', () => {
  it('defaults to a week and refuses windows outside 1 to 365 days', () => {
    expect(parseInput(notificationStatsArguments, {}, [])).toEqual({ days: 7 });
    expect(userErrorsOf(() => parseInput(notificationStatsArguments, { days: 366 }, []))).toEqual([
      { field: ['days'], message: '"days" must be between 1 and 365.', code: 'INVALID' },
    ]);
  });
});
