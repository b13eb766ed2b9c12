import { z } from 'zod';

/** The ledger upload: one file; its size and kind are checked again by previewImport. */
export const uploadSchema = z.object({
	file: z
		.instanceof(File, { message: '请选择要上传的台账文件（.xlsx 或 .csv）' })
		.refine((f) => f.size > 0, '请选择要上传的台账文件（.xlsx 或 .csv）')
		.refine((f) => /\.(xlsx|csv|txt)$/i.test(f.name), '请上传 .xlsx 或 .csv 格式的台账')
});
