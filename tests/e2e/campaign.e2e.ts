/**
 * /admin/campaign: a regency's own target curve changes that regency's target for today and only
 * it; a curve that goes down is refused with the reason; thresholds are validated.
 */
import { expect, test } from '@playwright/test';
import { loginPage } from './accounts';

const percent = (share: number) =>
	new Intl.NumberFormat('id-ID', {
		style: 'percent',
		minimumFractionDigits: 1,
		maximumFractionDigits: 1
	}).format(share);

test('an admin gives Kota Surabaya its own curve, sees its target move, and removes it', async ({
	page
}) => {
	await loginPage(page, 'admin');
	await page.goto('/wilayah/3578');
	const label = await page.getByText(/hari ke-\d+ dari 30/).textContent();
	const day = Number(/hari ke-(\d+)/.exec(label!)![1]);
	await expect(page.getByTestId('today-target-end')).toHaveText(percent(day / 30));

	await page.goto('/admin/campaign');
	await expect(page.getByTestId('curve-preview')).toBeVisible();
	const override = page.locator('form[action="?/override"]');
	await override.getByLabel('Kode wilayah').fill('3578');
	await override.getByLabel(/Titik kurva/).fill('10=20, 20=90');
	await override.getByRole('button').click();
	await expect(page.getByTestId('campaign-message')).toHaveText('Kurva 3578 disimpan');
	await page.goto('/wilayah/3578');
	await expect(page.getByTestId('today-target-end')).toHaveText(percent((day / 10) * 0.2));
	// Its neighbour keeps the campaign's linear curve.
	await page.goto('/wilayah/3577');
	await expect(page.getByTestId('today-target-end')).toHaveText(percent(day / 30));

	await page.goto('/admin/campaign');
	await override.getByLabel('Kode wilayah').fill('3578');
	await override.getByLabel(/Titik kurva/).fill('10=50, 20=40');
	await override.getByRole('button').click();
	await expect(page.getByTestId('campaign-message')).toHaveText(
		'Kurva bersifat kumulatif: 40% pada hari 20 lebih kecil dari hari sebelumnya'
	);
	// What was typed stays, to be corrected.
	await expect(override.getByLabel('Kode wilayah')).toHaveValue('3578');
	await expect(override.getByLabel(/Titik kurva/)).toHaveValue('10=50, 20=40');
	await override.getByLabel('Kode wilayah').fill('3578');
	await override.getByLabel(/Titik kurva/).fill('');
	await override.getByRole('button').click();
	await expect(page.getByTestId('campaign-message')).toHaveText('Kurva 3578 dihapus');
	await page.goto('/wilayah/3578');
	await expect(page.getByTestId('today-target-end')).toHaveText(percent(day / 30));

	await page.goto('/admin/campaign');
	const thresholds = page.locator('form[action="?/settings"]');
	await thresholds.getByLabel(/jam pemeriksaan/).fill('25');
	await thresholds.getByRole('button').click();
	await expect(page.getByTestId('campaign-message')).toHaveText(
		'Ambang "Di bawah target: jam pemeriksaan (waktu setempat)" harus angka dari 0 sampai 23'
	);
	await expect(thresholds.getByLabel(/jam pemeriksaan/)).toHaveValue('25');

	// The campaign form keeps its name after a save: a second save goes through too.
	const campaign = page.locator('form[action="?/campaign"]');
	const name = await campaign.getByLabel('Nama').inputValue();
	await campaign.getByRole('button').click();
	await expect(page.getByTestId('campaign-message')).toHaveText('Kampanye disimpan');
	await expect(campaign.getByLabel('Nama')).toHaveValue(name);
	await campaign.getByRole('button').click();
	await expect(page.getByTestId('campaign-message')).toHaveText('Kampanye disimpan');
});
