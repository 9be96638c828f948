import { SendMailJob } from '../infra/queue/queue-name';

export interface RenderedMail {
  subject: string;
  text: string;
}

/** Urgency of a reported equipment problem, in Japanese. */
const URGENCY_JA: Record<string, string> = { low: '低', normal: '中', high: '高' };

/** Bilingual texts: Japanese first, as the centers' clients expect. */
export function renderMail(job: SendMailJob, publicUrl: string): RenderedMail {
  switch (job.template) {
    case 'equipment-problem': {
      const hazard = job.data.safetyHazard === 'yes';
      return {
        subject: `[${job.data.equipment}] ${hazard ? '安全上の危険を伴う' : ''}不具合の報告 / ${hazard ? 'Safety hazard' : 'Problem'} reported`,
        text: [
          `${job.data.centerJa} 御中`,
          '',
          `${job.data.equipmentJa} について不具合が報告されました${hazard ? '（安全上の危険あり）' : ''}。`,
          `緊急度: ${URGENCY_JA[job.data.urgency] ?? job.data.urgency}`,
          '',
          job.data.description,
          '',
          `Dear ${job.data.center} team,`,
          '',
          `A problem was reported on ${job.data.equipment}${hazard ? ' and marked as a safety hazard' : ''}.`,
          `Urgency: ${job.data.urgency}`,
          '',
          `${publicUrl}/api/v1/equipment/${job.data.equipmentId}/problems`,
        ].join('\n'),
      };
    }
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
    case 'waitlist-offer':
      return {
        subject: `[${job.data.equipment}] キャンセル待ちの枠が空きました / A slot you waited for is free`,
        text: [
          `${job.data.displayName} 様`,
          '',
          `${job.data.equipment} の ${job.data.period} が空きました。${job.data.expiresAt} までに予約を確定してください。`,
          '',
          `${job.data.equipment} is free for you from ${job.data.period}. Accept before ${job.data.expiresAt}:`,
          `POST ${publicUrl}/api/v1/waitlist/${job.data.entryId}/accept`,
        ].join('\n'),
      };
    case 'retention-due':
      return {
        subject: `[${job.data.centerCode}] 保管期限を過ぎた試料 ${job.data.count} 件 / ${job.data.count} samples due for disposal`,
        text: [
          `${job.data.centerJa} 御中`,
          '',
          `保管期限（${job.data.onOrBefore} まで）を過ぎた試料が ${job.data.count} 件あります。返却または廃棄をご検討ください。`,
          '',
          job.data.list,
          '',
          `Dear ${job.data.center} team,`,
          '',
          `${job.data.count} samples have reached their retention date (${job.data.onOrBefore}). Return or dispose of them.`,
          `${publicUrl}/api/v1/samples/due-for-disposal?centerId=${job.data.centerId}`,
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
