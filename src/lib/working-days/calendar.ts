// The State Council's holiday calendars, one entry a year. A new year's notice is usually
// published in November: add its entry here (and drop `provisional`) when it is out.

export interface HolidayRange {
	/** the holiday's name as the notice gives it */
	name: string;
	/** first day off, 'YYYY-MM-DD' */
	from: string;
	/** last day off, inclusive */
	to: string;
}

export interface YearCalendar {
	year: number;
	/** the notice this calendar was entered from */
	source: string;
	/** true while the year is not yet entered from its State Council notice */
	provisional: boolean;
	holidays: readonly HolidayRange[];
	/** the 调休 weekend days that are working days */
	workdays: readonly string[];
}

export const calendars: readonly YearCalendar[] = [
	{
		year: 2025,
		source: '国务院办公厅关于2025年部分节假日安排的通知（国办发明电〔2024〕12号）',
		provisional: false,
		holidays: [
			{ name: '元旦', from: '2025-01-01', to: '2025-01-01' },
			{ name: '春节', from: '2025-01-28', to: '2025-02-04' },
			{ name: '清明节', from: '2025-04-04', to: '2025-04-06' },
			{ name: '劳动节', from: '2025-05-01', to: '2025-05-05' },
			{ name: '端午节', from: '2025-05-31', to: '2025-06-02' },
			{ name: '国庆节、中秋节', from: '2025-10-01', to: '2025-10-08' }
		],
		workdays: ['2025-01-26', '2025-02-08', '2025-04-27', '2025-09-28', '2025-10-11']
	},
	{
		year: 2026,
		source: '国务院办公厅关于2026年部分节假日安排的通知（国办发明电〔2025〕7号）',
		provisional: false,
		holidays: [
			{ name: '元旦', from: '2026-01-01', to: '2026-01-03' },
			{ name: '春节', from: '2026-02-15', to: '2026-02-23' },
			{ name: '清明节', from: '2026-04-04', to: '2026-04-06' },
			{ name: '劳动节', from: '2026-05-01', to: '2026-05-05' },
			{ name: '端午节', from: '2026-06-19', to: '2026-06-21' },
			{ name: '中秋节', from: '2026-09-25', to: '2026-09-27' },
			{ name: '国庆节', from: '2026-10-01', to: '2026-10-07' }
		],
		workdays: ['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10']
	},
	{
		year: 2027,
		source:
			'暂定：2027年国务院办公厅节假日安排通知尚未录入，按《全国年节及纪念日放假办法》（2024年修订）' +
			'第二条的法定假日天数（元旦1天、春节4天自除夕起、清明节1天、劳动节2天、端午节1天、中秋节1天、' +
			'国庆节3天）推算2027年日期，未含调休与补假；通知发布后须以通知替换',
		provisional: true,
		// lunar dates checked against chinese-days' getSolarDateFromLunar / getSolarTermDate:
		// 腊月 of 2026 has 29 days, so 除夕 is 腊月廿九 = 02-05; 清明 04-05; 端午 06-09; 中秋 09-15
		holidays: [
			{ name: '元旦', from: '2027-01-01', to: '2027-01-01' },
			{ name: '春节', from: '2027-02-05', to: '2027-02-08' },
			{ name: '清明节', from: '2027-04-05', to: '2027-04-05' },
			{ name: '劳动节', from: '2027-05-01', to: '2027-05-02' },
			{ name: '端午节', from: '2027-06-09', to: '2027-06-09' },
			{ name: '中秋节', from: '2027-09-15', to: '2027-09-15' },
			{ name: '国庆节', from: '2027-10-01', to: '2027-10-03' }
		],
		workdays: []
	}
];
