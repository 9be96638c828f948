import { SendMailJob } from '../infra/queue/queue-name';

export interface RenderedMail {
  subject: string;
  text: string;
}

/** Bilingual texts: Japanese first, as the centers' clients expect. */
export function renderMail(job: SendMailJob, publicUrl: string): RenderedMail {
  switch (job.template) {
    case 'account-created':
      return {
        subject: 'Foundry Hub アカウント作成のお知らせ / Your Foundry Hub account',
        text: [
          `${job.data.displayName} 様`,
          '',
          'Foundry Hub のアカウントが作成されました。',
          `ログイン: ${publicUrl}/docs （メールアドレス: ${job.to}）`,
          'パスワードは管理者からお知らせします。',
          '',
          `Dear ${job.data.displayName},`,
          '',
          'A Foundry Hub account has been created for you.',
          `Sign in at ${publicUrl}/docs with ${job.to}; your administrator will tell you the password.`,
        ].join('\n'),
      };
    case 'reservation-status':
      return {
        subject: `[${job.data.equipment}] 予約 ${job.data.statusJa} / Reservation ${job.data.status}`,
        text: [
          `${job.data.displayName} 様`,
          '',
          `${job.data.equipment} の予約（${job.data.period}）は「${job.data.statusJa}」になりました。`,
          job.data.reason ? `理由: ${job.data.reason}` : '',
          '',
          `Your reservation of ${job.data.equipment} (${job.data.period}) is now ${job.data.status}.`,
          job.data.reason ? `Reason: ${job.data.reason}` : '',
          `${publicUrl}/api/v1/reservations/${job.data.reservationId}`,
        ]
          .filter((line, i, lines) => line !== '' || lines[i - 1] !== '')
          .join('\n'),
      };
  }
}
